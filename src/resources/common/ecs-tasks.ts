// A service's tasks, read whole. ListTasks answers at most 100 task ARNs a page and DescribeTasks takes at most 100
// tasks a call (docs/aws-behaviours.md, "ECS", "Tasks"): a service scaled out past 100 tasks, or one that stopped
// more than 100 in the last hour, would otherwise be read in part, and the part says nothing of the rest.
import {
  DescribeTasksCommand,
  type ECSClient,
  type ListTasksCommandInput,
  paginateListTasks,
  type Task,
} from "@aws-sdk/client-ecs";

const DESCRIBE_AT_MOST = 100;

/** Every task ARN ListTasks answers for the filters, page after page. */
export async function listTaskArns(ecs: ECSClient, input: ListTasksCommandInput): Promise<string[]> {
  const arns: string[] = [];
  for await (const page of paginateListTasks({ client: ecs }, input)) arns.push(...(page.taskArns ?? []));
  return arns;
}

/** The tasks, described 100 at a time; a task ECS no longer knows is left out (DescribeTasks lists it in failures). */
export async function describeTasks(ecs: ECSClient, cluster: string, arns: string[]): Promise<Task[]> {
  const tasks: Task[] = [];
  for (let i = 0; i < arns.length; i += DESCRIBE_AT_MOST) {
    const out = await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + DESCRIBE_AT_MOST) }));
    tasks.push(...(out.tasks ?? []));
  }
  return tasks;
}

/** The service's tasks of that desired status, every page of them, described. */
export async function serviceTasks(
  ecs: ECSClient,
  cluster: string,
  serviceName: string,
  desiredStatus: "RUNNING" | "STOPPED",
): Promise<Task[]> {
  return describeTasks(ecs, cluster, await listTaskArns(ecs, { cluster, serviceName, desiredStatus }));
}
