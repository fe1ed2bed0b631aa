// The refinements create adds to the one diff (src/state/lifecycle.ts), on a resource made by hand whose handlers
// only note what they are asked: what lives in a replaced object is made again (within), what another step makes
// is waited for, what cannot be made yet does not stop the rest (NotYet), a replace of what infra did not make or of
// another stack's object is refused before any call, and a new version of an object changes the keys it records.
import { describe, expect, it } from "vitest";
import type { Context } from "../../src/core/context.js";
import { InputError } from "../../src/core/errors.js";
import { Events } from "../../src/core/events.js";
import type { EnvReader } from "../../src/core/inputs.js";
import { type KindHandlers, NotYet, type Resource, type ResourceModel } from "../../src/resources/resource.js";
import { assess, changingKeys, createResource } from "../../src/state/lifecycle.js";
import type { DesiredObject, Fields, ObservedObject } from "../../src/state/model.js";

interface Stack {
  desired: (env: EnvReader) => DesiredObject[];
  found: ObservedObject[];
  /** A kind's create fails with NotYet. */
  notYet?: string;
  records?: (objects: ReadonlyMap<string, ObservedObject>) => Record<string, string>;
}

const want = (key: string, fields: Fields, more: Partial<DesiredObject> = {}): DesiredObject => ({
  key,
  kind: key,
  name: key,
  fields,
  ...more,
});

const has = (key: string, fields: Fields, more: Partial<ObservedObject> = {}): ObservedObject => ({
  key,
  kind: key,
  name: key,
  id: `id-${key}`,
  fields,
  managed: true,
  ...more,
});

/** A resource over the stack: each handler call noted as "<action> <key>" (a create with its fields). */
function resourceOf(stack: Stack, calls: string[]): Resource<EnvReader> {
  const handlers: KindHandlers<EnvReader> = {
    create: async (_run, d) => {
      if (d.kind === stack.notYet) throw new NotYet(`${d.kind}: not yet`);
      calls.push(`create ${d.key} ${JSON.stringify(d.fields)}`);
      return has(d.key, d.fields, { id: `new-${d.key}` });
    },
    update: async (_run, d, _o, fields) => {
      calls.push(`update ${d.key} ${fields.map((f) => f.field).join(",")}`);
    },
    adopt: async (_run, d) => {
      calls.push(`adopt ${d.key}`);
    },
    delete: async (_run, o) => {
      calls.push(`delete ${o.key}`);
    },
  };
  const model: ResourceModel<EnvReader> = {
    observe: async () => new Map(stack.found.map((o) => [o.key, o])),
    handlers: new Proxy({}, { get: () => handlers }),
    recorded: (objects) => stack.records?.(objects) ?? {},
  };
  return {
    name: "toy",
    summary: "a resource made by hand",
    after: [],
    records: ["TOY_ID"],
    config: (env) => env,
    desired: stack.desired,
    load: async () => model,
  };
}

/** A context with an env file in memory and the given steps of the run (each finished once it is awaited). */
function contextOf(values: Record<string, string> = {}, steps: Record<string, () => void> = {}): Context {
  const env = {
    get: (k: string) => values[k],
    record: async (updates: Record<string, string>) => {
      Object.assign(values, updates);
    },
  };
  return {
    env,
    events: new Events(),
    steps: { has: (s: string) => s in steps, finished: async (s: string) => steps[s]?.() },
  } as unknown as Context;
}

async function create(stack: Stack, ctx = contextOf(), calls: string[] = []) {
  const resource = resourceOf(stack, calls);
  const applied = await createResource(ctx, await assess(ctx, resource, resource.config(ctx.env, "create")));
  return { calls, applied };
}

describe("create's refinements of the diff", () => {
  it("given a load balancer to be replaced and a listener within it that matches, when create applies the diff, then the listener is made again after it, and a sibling outside it is left alone", async () => {
    const stack: Stack = {
      desired: () => [
        want("lb", { scheme: "internal" }, { replaceOn: { scheme: "a scheme is fixed" } }),
        want("listener", { port: 443 }, { within: "lb" }),
        want("group", { port: 8000 }),
      ],
      found: [has("lb", { scheme: "internet-facing" }), has("listener", { port: 443 }), has("group", { port: 8000 })],
    };

    const { calls } = await create(stack);

    expect(calls).toEqual(["delete lb", 'create lb {"scheme":"internal"}', 'create listener {"port":443}']);
  });

  it("given an object whose field another step of the run records, when create applies the diff, then it is made after that step has finished, with the value it recorded", async () => {
    const values: Record<string, string> = {};
    const ctx = contextOf(values, { certificate: () => Object.assign(values, { CERT: "arn:cert" }) });
    const stack: Stack = {
      desired: (env) => [
        want("listener", { certificate: env.get("CERT") ?? "<CERT from certificate>" }),
        want("lb", { scheme: "internal" }),
      ],
      found: [],
    };

    const { calls, applied } = await create(stack, ctx);

    expect(calls).toEqual(['create lb {"scheme":"internal"}', 'create listener {"certificate":"arn:cert"}']);
    expect(applied).toEqual({ changed: true, incomplete: false });
  });

  it("given an object a handler cannot make yet, when create applies the diff, then the others are made and the run says it is incomplete", async () => {
    const stack: Stack = {
      desired: () => [want("listener", { port: 443 }), want("lb", { scheme: "internal" })],
      found: [],
      notYet: "listener",
    };

    const { calls, applied } = await create(stack);

    expect(calls).toEqual(['create lb {"scheme":"internal"}']);
    expect(applied).toEqual({ changed: true, incomplete: true });
  });

  it("given an object infra did not make whose fixed field differs, when create is asked to replace it, then it refuses before any call, saying what to do", async () => {
    const stack: Stack = {
      desired: () => [want("group", { port: 9000 }, { replaceOn: { port: "a port is fixed" } })],
      found: [has("group", { port: 8000 }, { managed: false })],
    };

    const calls: string[] = [];

    const refused = create(stack, contextOf(), calls);

    await expect(refused).rejects.toThrow(InputError);
    await expect(refused).rejects.toThrow(
      /group group was made outside infra and would have to be replaced \(a port is fixed\): infra does not delete what it did not make; .* or keep its port/,
    );
    expect(calls).toEqual([]);
  });

  it("given an object of another infra stack under the same name, when create would change it, then it refuses before any call, naming that stack", async () => {
    const calls: string[] = [];
    const stack: Stack = {
      desired: () => [want("group", { port: 9000 })],
      found: [has("group", { port: 8000 }, { stack: "other-app" })],
    };

    const refused = create(stack, contextOf(), calls);

    await expect(refused).rejects.toThrow(InputError);
    await expect(refused).rejects.toThrow(/group group belongs to infra stack other-app \(its Project tag\)/);
    expect(calls).toEqual([]);
  });

  it("given an update of a versioned object (a task definition), when the run asks which recorded keys change, then its key is one, and the same update of an object updated in place is not", async () => {
    const records = (objects: ReadonlyMap<string, ObservedObject>) => ({ TOY_ID: objects.get("td")?.id ?? "" });
    const stackOf = (versioned: boolean): Stack => ({
      desired: () => [want("td", { cpu: 256 }, { versioned })],
      found: [has("td", { cpu: 512 })],
      records,
    });
    const env = { get: (k: string) => (k === "TOY_ID" ? "id-td" : undefined) };
    const keysOf = async (stack: Stack) => {
      const ctx = contextOf({ TOY_ID: "id-td" });
      const resource = resourceOf(stack, []);
      return changingKeys(await assess(ctx, resource, ctx.env), env);
    };

    expect(await keysOf(stackOf(true))).toEqual(["TOY_ID"]);
    expect(await keysOf(stackOf(false))).toEqual([]);
  });
});
