// The query protocols' requests (ELBv2, SNS and RDS: awsQuery; EC2: ec2Query): a form body with Action and Version,
// and the input flattened into dotted keys. This reads them back into the input shape, from the operation's
// input schema, as the SDK's QueryShapeSerializer wrote them:
//   awsQuery  Names.member.1=a  Attributes.entry.1.key=k  Tags.member.1.Key=Name
//   ec2Query  GroupId.1=sg-1    Filter.1.Name=vpc-id      Filter.1.Value.1=vpc-1  (ec2QueryName, or capitalised)
import { NormalizedSchema } from "@smithy/core/schema";
import type { OperationSchema } from "./services.js";

type SchemaRef = Parameters<typeof NormalizedSchema.of>[0];

class Params {
  private readonly prefixes = new Set<string>();

  constructor(readonly values: Map<string, string>) {
    for (const key of values.keys()) {
      const parts = key.split(".");
      for (let i = 1; i <= parts.length; i++) this.prefixes.add(parts.slice(0, i).join("."));
    }
  }

  /** Whether the key, or anything under it, was sent. */
  has(key: string): boolean {
    return this.prefixes.has(key);
  }
}

export function parseForm(body: string): Map<string, string> {
  return new Map(new URLSearchParams(body));
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function readQuery(op: OperationSchema, form: Map<string, string>, ec2: boolean): Record<string, unknown> {
  const params = new Params(form);

  const memberKey = (name: string, member: NormalizedSchema) => {
    const t = member.getMergedTraits();
    if (ec2) return (t.ec2QueryName as string | undefined) ?? capitalize((t.xmlName as string | undefined) ?? name);
    return (t.xmlName as string | undefined) ?? name;
  };
  const join = (prefix: string, key: string) => (prefix ? `${prefix}.${key}` : key);

  const read = (ns: NormalizedSchema, key: string): unknown => {
    if (ns.isStructSchema()) {
      const out: Record<string, unknown> = {};
      for (const [name, member] of ns.structIterator()) {
        const k = join(key, memberKey(name, member));
        if (params.has(k)) out[name] = read(member, k);
      }
      return out;
    }
    if (ns.isListSchema()) {
      if (params.values.get(key) === "") return []; // how awsQuery sends an empty list
      const member = ns.getValueSchema();
      const t = member.getMergedTraits();
      const flat = ec2 || Boolean(ns.getMergedTraits().xmlFlattened);
      const base = flat ? key : `${key}.${(t.xmlName as string | undefined) ?? "member"}`;
      const items: unknown[] = [];
      for (let i = 1; params.has(`${base}.${i}`); i++) items.push(read(member, `${base}.${i}`));
      return items;
    }
    if (ns.isMapSchema()) {
      const flat = Boolean(ns.getMergedTraits().xmlFlattened);
      const keyName = (ns.getKeySchema().getMergedTraits().xmlName as string | undefined) ?? "key";
      const valueName = (ns.getValueSchema().getMergedTraits().xmlName as string | undefined) ?? "value";
      const out: Record<string, unknown> = {};
      for (let i = 1; ; i++) {
        const entry = flat ? `${key}.${i}` : `${key}.entry.${i}`;
        if (!params.has(entry)) break;
        const k = params.values.get(`${entry}.${keyName}`) ?? "";
        out[k] = read(ns.getValueSchema(), `${entry}.${valueName}`);
      }
      return out;
    }
    return scalar(ns, params.values.get(key));
  };
  return read(NormalizedSchema.of(op.input as SchemaRef), "") as Record<string, unknown>;
}

function scalar(ns: NormalizedSchema, value: string | undefined): unknown {
  if (value === undefined) return undefined;
  if (ns.isBooleanSchema()) return value === "true";
  if (ns.isBigIntegerSchema()) return BigInt(value);
  if (ns.isNumericSchema()) return Number(value);
  if (ns.isTimestampSchema()) return /^\d+(\.\d+)?$/.test(value) ? new Date(Number(value) * 1000) : new Date(value);
  if (ns.isBlobSchema()) return new Uint8Array(Buffer.from(value, "base64"));
  return value;
}
