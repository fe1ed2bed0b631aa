// The env file's inputs, the prerequisites' ids, pointing at what the fake has (shared by tests and bench).
import { BACKEND_SG, SUBNETS, VPC_ID } from "./ec2.js";

/** The env file's inputs (the prerequisites' ids), pointing at what the fake has. */
export const INPUTS = `# Configuration
AWS_REGION="us-east-1"
PROJECT_NAME="startupwebapp"
ENVIRONMENT="production"
VPC_ID="${VPC_ID}"
PUBLIC_SUBNET_1_ID="${SUBNETS[0]}"
PUBLIC_SUBNET_2_ID="${SUBNETS[1]}"
BACKEND_SECURITY_GROUP_ID="${BACKEND_SG}"
DOMAIN_NAME="startupwebapp.com"
API_DOMAIN_NAME="api.startupwebapp.com"
PRIVATE_SUBNET_1_ID="subnet-0c1c2c3c4c5c60001"
PRIVATE_SUBNET_2_ID="subnet-0c1c2c3c4c5c60002"
ECS_CLUSTER_NAME="startupwebapp-cluster"
ECR_REPOSITORY_URI="123456789012.dkr.ecr.us-east-1.amazonaws.com/startupwebapp"
ECS_TASK_EXECUTION_ROLE_ARN="arn:aws:iam::123456789012:role/ecsTaskExecutionRole"
ECS_TASK_ROLE_ARN="arn:aws:iam::123456789012:role/startupwebapp-task-role"
DB_SECRET_NAME="rds/startupwebapp/multi-tenant/master"
DB_SECRET_ARN="arn:aws:secretsmanager:us-east-1:123456789012:secret:rds/startupwebapp/multi-tenant/master-AbCdEf"
DATABASE_NAME="startupwebapp"
`;

/** The line number a line appended to INPUTS gets. */
export const APPENDED_LINE = INPUTS.split("\n").length;
