// What `deploy` and `rollback` read from the env file, checked before any AWS call.
import { type EnvReader, readInputs } from "../core/inputs.js";

export interface DeployConfig {
  cluster: string;
  serviceName: string;
  ecrRepository: string | undefined;
  /** The migration task definition family (`--migrate`), and where its task runs. */
  migrationFamily: string | undefined;
  privateSubnetIds: string[];
  securityGroupId: string | undefined;
  /** Where the deployed service is probed: HEALTH_CHECK_URL, else https://<API_DOMAIN_NAME><HEALTH_CHECK_PATH>. */
  probeUrl: string | undefined;
}

export function deployConfig(env: EnvReader, opts: { migrate: boolean }): DeployConfig {
  const input = readInputs(env, opts.migrate ? "deploy --migrate" : "deploy");
  input.need("PROJECT_NAME"); // checked: ECS_SERVICE_NAME's default is made of it
  const cluster = input.need("ECS_CLUSTER_NAME");
  const serviceName = input.need("ECS_SERVICE_NAME");
  const ecrRepository = input.maybe("ECR_REPOSITORY_URI");
  const migrate = opts.migrate ? input.need : input.maybe;
  const migrationFamily = migrate("ECS_TASK_DEFINITION_FAMILY");
  const privateSubnetIds = [migrate("PRIVATE_SUBNET_1_ID"), migrate("PRIVATE_SUBNET_2_ID")];
  const securityGroupId = migrate("BACKEND_SECURITY_GROUP_ID");
  const explicit = input.maybe("HEALTH_CHECK_URL"); // an http(s) URL: src/core/keys.ts checks it as it is read
  const domain = input.maybe("API_DOMAIN_NAME");
  const path = input.need("HEALTH_CHECK_PATH");
  input.done();
  return {
    cluster,
    serviceName,
    ecrRepository,
    migrationFamily,
    privateSubnetIds: privateSubnetIds.filter((s): s is string => Boolean(s)),
    securityGroupId,
    probeUrl: explicit ?? (domain ? `https://${domain}${path}` : undefined),
  };
}
