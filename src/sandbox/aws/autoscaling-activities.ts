// Scaling activities: what Application Auto Scaling did to a scalable target, as DescribeScalingActivities shows
// it. An activity is recorded when a policy's alarm makes it change the capacity (`scale`, which tests call where
// CloudWatch would fire the alarm) and when a new minimum or maximum moves the capacity into range. Activities
// are kept six weeks. The order of the answer is not documented: newest first here, so callers must not rely on it.
import type { ScalingActivity } from "@aws-sdk/client-application-auto-scaling";
import type { AutoScalingModel } from "./autoscaling.js";
import { badToken, checkNamespace, validation } from "./autoscaling-policies.js";
import { uuid } from "./ecs-state.js";
import { page } from "./shared.js";

const KEPT_MS = 42 * 24 * 3_600_000;

export class Activities {
  private all: ScalingActivity[] = [];

  constructor(private readonly model: AutoScalingModel) {}

  private now = () => this.model.fake.clock.now();

  /**
   * What a scaling policy does when its alarm fires: a new desired count for the service, kept within the
   * target's minimum and maximum. No activity when the count would not change.
   */
  scale(resourceId: string, desired: number, cause: string): ScalingActivity | undefined {
    const target = this.model.targets.get(resourceId);
    if (!target) throw new Error(`no scalable target ${resourceId}`);
    const serviceName = resourceId.split("/")[2] as string;
    const service = this.model.fake.ecs.serviceNamed(serviceName);
    if (!service) throw new Error(`no ECS service ${serviceName}`);
    const count = Math.min(Math.max(desired, target.MinCapacity as number), target.MaxCapacity as number);
    if (count === service.desiredCount) return undefined;
    this.model.fake.ecs.setDesired(serviceName, count);
    return this.record(resourceId, count, cause);
  }

  record(resourceId: string, count: number, cause: string): ScalingActivity {
    const now = new Date(this.now());
    const activity: ScalingActivity = {
      ActivityId: uuid(`activity ${resourceId} ${this.all.length} ${now.getTime()}`),
      ServiceNamespace: "ecs",
      ResourceId: resourceId,
      ScalableDimension: "ecs:service:DesiredCount",
      Description: `Setting desired count to ${count}.`,
      Cause: cause,
      StartTime: now,
      EndTime: now,
      StatusCode: "Successful",
      StatusMessage: `Successfully set desired count to ${count}. Change successfully fulfilled by ecs.`,
    };
    this.all.push(activity);
    return activity;
  }

  describe(input: {
    ServiceNamespace?: string;
    ResourceId?: string;
    ScalableDimension?: string;
    MaxResults?: number;
    NextToken?: string;
    IncludeNotScaledActivities?: boolean;
  }) {
    checkNamespace(input.ServiceNamespace);
    if (input.ScalableDimension !== undefined && input.ResourceId === undefined)
      throw validation("If you specify a scalable dimension, you must also specify a resource ID");
    const max = input.MaxResults ?? 50;
    if (!Number.isInteger(max) || max < 1 || max > 50) throw validation("MaxResults must be between 1 and 50");
    const since = this.now() - KEPT_MS;
    this.all = this.all.filter((a) => (a.StartTime as Date).getTime() >= since);
    const matching = this.all
      .filter((a) => input.ResourceId === undefined || a.ResourceId === input.ResourceId)
      .filter((a) => input.ScalableDimension === undefined || a.ScalableDimension === input.ScalableDimension)
      .reverse();
    const p = page(matching, input.NextToken, max, badToken);
    return { ScalingActivities: p.items, ...(p.next ? { NextToken: p.next } : {}) };
  }
}
