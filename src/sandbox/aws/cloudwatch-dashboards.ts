// CloudWatch dashboards: PutDashboard creates or replaces, and stores the body exactly as sent; a body that is
// not a JSON object with a `widgets` array is refused with InvalidParameterInput (DashboardInvalidInputError in
// the SDK) and its DashboardValidationMessages. A missing dashboard is ResourceNotFound: the SDK resolves that
// wire code to its ResourceNotFound class, never to DashboardNotFoundError (it matches the shape name first).
// Dashboards are global: their ARN has no region. PutDashboard's Tags count only when it creates the dashboard (an
// update ignores them: TagResource tags one that exists); deleting a dashboard deletes its tags.
import {
  type DashboardEntry,
  DashboardInvalidInputError,
  type DashboardValidationMessage,
  InvalidNextToken,
  ResourceNotFound,
  type Tag,
} from "@aws-sdk/client-cloudwatch";
import { ACCOUNT } from "./ec2.js";
import { byName, coded, page } from "./shared.js";

export const DASHBOARD_PREFIX = `arn:aws:cloudwatch::${ACCOUNT}:dashboard/`;
const WIDGET_TYPES = ["metric", "text", "log", "alarm", "explorer", "custom"];

export interface Dashboard {
  DashboardName: string;
  DashboardArn: string;
  DashboardBody: string;
  LastModified: Date;
  Size: number;
}

const rejected = (messages: DashboardValidationMessage[]) =>
  coded(
    DashboardInvalidInputError,
    "InvalidParameterInput",
    `The dashboard body is invalid, there are ${messages.length} validation errors: ${JSON.stringify(
      messages.map((m) => ({ dataPath: m.DataPath, message: m.Message })),
    )}`,
    { dashboardValidationMessages: messages },
  );
const notFound = (message: string) => coded(ResourceNotFound, "ResourceNotFound", message);

export class Dashboards {
  readonly all = new Map<string, Dashboard>();
  /** Dashboard name -> its tags. */
  readonly tags = new Map<string, Tag[]>();

  constructor(private readonly now: () => number) {}

  put(input: { DashboardName?: string; DashboardBody?: string; Tags?: Tag[] }) {
    const name = input.DashboardName ?? "";
    if (!/^[A-Za-z0-9_-]{1,255}$/.test(name))
      throw rejected([
        {
          DataPath: "/DashboardName",
          Message: "The value for field DashboardName must contain only alphanumeric characters, dash and underscore",
        },
      ]);
    const body = input.DashboardBody ?? "";
    const messages = validate(body);
    if (messages.length) throw rejected(messages);
    if (!this.all.has(name)) this.tags.set(name, [...(input.Tags ?? [])]);
    this.all.set(name, {
      DashboardName: name,
      DashboardArn: `${DASHBOARD_PREFIX}${name}`,
      DashboardBody: body,
      LastModified: new Date(this.now()),
      Size: Buffer.byteLength(body),
    });
    return { DashboardValidationMessages: [] };
  }

  get(input: { DashboardName?: string }) {
    const d = this.all.get(input.DashboardName ?? "");
    if (!d) throw notFound(`Dashboard ${input.DashboardName} does not exist`);
    return { DashboardArn: d.DashboardArn, DashboardBody: d.DashboardBody, DashboardName: d.DashboardName };
  }

  /** All or nothing: one missing name and none is deleted. */
  delete(input: { DashboardNames?: string[] }) {
    const names = input.DashboardNames ?? [];
    const absent = names.filter((n) => !this.all.has(n));
    if (absent.length) throw notFound(`Dashboards [${absent.join(", ")}] do not exist`);
    for (const n of names) {
      this.all.delete(n);
      this.tags.delete(n);
    }
    return {};
  }

  list(input: { DashboardNamePrefix?: string; NextToken?: string }): {
    DashboardEntries: DashboardEntry[];
    NextToken?: string;
  } {
    const all = [...this.all.values()]
      .filter((d) => d.DashboardName.startsWith(input.DashboardNamePrefix ?? ""))
      .sort(byName((d) => d.DashboardName));
    const p = page(all, input.NextToken, 1000, () =>
      coded(InvalidNextToken, "InvalidNextToken", "The service returned an invalid NextToken."),
    );
    return {
      DashboardEntries: p.items.map(({ DashboardBody: _, ...entry }) => entry),
      ...(p.next ? { NextToken: p.next } : {}),
    };
  }
}

/** The checks CloudWatch's dashboard body schema makes that a hand-written body most often fails. */
function validate(body: string): DashboardValidationMessage[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return [{ DataPath: "", Message: "The field DashboardBody must be a valid JSON object" }];
  }
  if (!isObject(parsed)) return [{ DataPath: "", Message: "Should be object" }];
  const widgets = parsed.widgets;
  if (!Array.isArray(widgets)) return [{ DataPath: "/widgets", Message: "Should be array" }];
  return widgets.flatMap((w: unknown, i): DashboardValidationMessage[] => {
    const at = `/widgets/${i}`;
    if (!isObject(w)) return [{ DataPath: at, Message: "Should be object" }];
    const problems: DashboardValidationMessage[] = [];
    if (typeof w.type !== "string" || !WIDGET_TYPES.includes(w.type))
      problems.push({ DataPath: `${at}/type`, Message: `Should be equal to one of the allowed values` });
    if (!isObject(w.properties)) problems.push({ DataPath: at, Message: "Should have required property 'properties'" });
    else if (w.type === "text" && typeof w.properties.markdown !== "string")
      problems.push({ DataPath: `${at}/properties`, Message: "Should have required property 'markdown'" });
    for (const [key, min, max] of [
      ["width", 1, 24],
      ["height", 1, 1000],
      ["x", 0, 23],
      ["y", 0, Number.MAX_SAFE_INTEGER],
    ] as const) {
      const v = w[key];
      if (v !== undefined && (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max))
        problems.push({ DataPath: `${at}/${key}`, Message: `Should be an integer between ${min} and ${max}` });
    }
    return problems;
  });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
