// diff(): the one comparison behind plan, verify, status and create, on desired and observed objects made by hand,
// and its refinements (replaceOn, setOnce, awaited, adopt, within) one by one; then generated fields and values.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { diff, fieldChanges } from "../../src/state/diff.js";
import {
  altersExisting,
  type DesiredObject,
  type Fields,
  type ObservedObject,
  pending,
  ref,
  UNREPORTED,
} from "../../src/state/model.js";

const want = (fields: Fields, more: Partial<DesiredObject> = {}): DesiredObject => ({
  key: "tg",
  kind: "target group",
  name: "startupwebapp-tg",
  fields,
  ...more,
});

const has = (fields: Fields, more: Partial<ObservedObject> = {}): ObservedObject => ({
  key: "tg",
  kind: "target group",
  name: "startupwebapp-tg",
  id: "arn:tg",
  fields,
  managed: true,
  ...more,
});

const observing = (...objects: ObservedObject[]) => new Map(objects.map((o) => [o.key, o]));

describe("diff", () => {
  it("makes what does not exist", () => {
    const d = want({ port: 8000 });
    expect(diff([d], observing())).toEqual([{ action: "create", desired: d }]);
  });

  it("keeps an object whose owned fields all match, whatever else AWS reports", () => {
    const [change] = diff([want({ port: 8000 })], observing(has({ port: 8000, "ip address type": "ipv4" })));
    expect(change?.action).toBe("keep");
  });

  it("updates exactly the owned fields that differ, from what AWS has to what is wanted", () => {
    const [change] = diff(
      [want({ port: 8000, path: "/health", interval: 30 })],
      observing(has({ port: 8000, path: "/", interval: 30 })),
    );
    expect(change).toMatchObject({ action: "update", fields: [{ field: "path", from: "/", to: "/health" }] });
  });

  it("does not judge a field it leaves undefined", () => {
    const [change] = diff([want({ port: 8000, path: undefined })], observing(has({ port: 8000, path: "/" })));
    expect(change?.action).toBe("keep");
  });

  it("compares lists in order, as AWS reports them", () => {
    const [change] = diff([want({ subnets: ["a", "b"] })], observing(has({ subnets: ["b", "a"] })));
    expect(change?.action).toBe("update");
  });

  it("deletes an object infra made that is no longer wanted, and leaves one it did not make", () => {
    const ours = has({}, { key: "alarm:old", name: "old" });
    const theirs = has({}, { key: "alarm:theirs", name: "theirs", managed: false });
    expect(diff([], observing(ours, theirs))).toEqual([{ action: "delete", observed: ours }]);
  });

  it("resolves a reference to a sibling by its id, and counts one not made yet as a change", () => {
    const lb = has({}, { key: "lb", id: "arn:lb" });
    const listener = want({ "load balancer": ref("lb") }, { key: "listener" });
    const observedListener = has({ "load balancer": "arn:lb" }, { key: "listener" });
    expect(diff([listener], observing(lb, observedListener))[0]?.action).toBe("keep");
    expect(diff([listener], observing(observedListener))[0]).toMatchObject({
      action: "update",
      fields: [{ field: "load balancer", to: { ref: "lb" } }],
    });
  });

  it("counts a value another step has not made yet as a change, and one the endpoint did not report as none", () => {
    const [waiting] = diff([want({ certificate: pending("acm-certificate") })], observing(has({ certificate: "x" })));
    expect(waiting).toMatchObject({ action: "update", fields: [{ field: "certificate" }] });
    const [unreported] = diff([want({ grace: 120 })], observing(has({ grace: UNREPORTED })));
    expect(unreported?.action).toBe("keep");
  });
});

describe("diff's refinements", () => {
  it("replaceOn: a difference in a field AWS cannot change in place replaces, with why", () => {
    const d = want({ port: 9000, path: "/" }, { replaceOn: { port: "a target group's port is fixed" } });
    const [change] = diff([d], observing(has({ port: 8000, path: "/" })));
    expect(change).toMatchObject({ action: "replace", reason: "a target group's port is fixed" });
    expect(change && altersExisting(change)).toBe(true);
  });

  it("replaceOn: a field known only after another step or a sibling does not replace yet", () => {
    const replaceOn = { vpc: "a group's VPC is fixed" };
    const later = diff([want({ vpc: pending("network") }, { replaceOn })], observing(has({ vpc: "vpc-1" })));
    const sibling = diff([want({ vpc: ref("vpc") }, { replaceOn })], observing(has({ vpc: "vpc-1" })));
    expect(later[0]?.action).toBe("update");
    expect(sibling[0]?.action).toBe("update");
  });

  it("setOnce: a field AWS takes at creation only is not compared with an object that exists", () => {
    const d = want({ description: "new words", port: 8000 }, { setOnce: { description: "fixed at creation" } });
    expect(diff([d], observing(has({ description: "old words", port: 8000 })))[0]?.action).toBe("keep");
  });

  it("awaited: a difference only in a field AWS moves on its own alters nothing that exists", () => {
    const d = want({ state: "active", port: 8000 }, { awaited: ["state"] });
    const [waiting] = diff([d], observing(has({ state: "provisioning", port: 8000 })));
    const [changing] = diff([d], observing(has({ state: "provisioning", port: 80 })));
    expect(waiting?.action).toBe("update");
    expect(waiting && altersExisting(waiting)).toBe(false);
    expect(changing && altersExisting(changing)).toBe(true);
  });

  it("adopt: an object found under the name that infra did not make is adopted with its differences", () => {
    const [change] = diff([want({ port: 8000 })], observing(has({ port: 80 }, { managed: false })));
    expect(change).toMatchObject({ action: "adopt", fields: [{ field: "port", from: 80, to: 8000 }] });
  });

  it("adopt: false uses what the user keeps (their hosted zone) and never changes it", () => {
    const [change] = diff([want({ comment: "ours" }, { adopt: false })], observing(has({}, { managed: false })));
    expect(change?.action).toBe("use");
    expect(change && altersExisting(change)).toBe(false);
  });

  it("within: an object inside one that is replaced is still diffed on its own (create makes it again)", () => {
    // create's part (src/state/lifecycle.ts) drops what lived in a replaced object before applying; diff itself
    // compares the listener with what exists now, so plan shows the listener as kept until the replace happens.
    const lb = want({ scheme: "internal" }, { key: "lb", replaceOn: { scheme: "fixed" } });
    const listener = want({ port: 443 }, { key: "listener", within: "lb" });
    const changes = diff(
      [lb, listener],
      observing(has({ scheme: "internet-facing" }, { key: "lb" }), has({ port: 443 }, { key: "listener" })),
    );
    expect(changes.map((c) => c.action)).toEqual(["replace", "keep"]);
  });
});

/** Field values as AWS reports them: strings, numbers, booleans, lists of strings. */
const scalar = fc.oneof(fc.string({ maxLength: 6 }), fc.integer({ min: -5, max: 500 }), fc.boolean());
const value = fc.oneof(scalar, fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }));
const fieldsArb = fc.dictionary(fc.constantFrom("port", "path", "interval", "matcher", "subnets", "name"), value, {
  minKeys: 1,
});

describe("diff, on generated fields", () => {
  it("reports exactly the owned fields whose values differ, each from what AWS has to what is wanted", () => {
    fc.assert(
      fc.property(fieldsArb, fieldsArb, (wanted, observed) => {
        const differing = Object.keys(wanted).filter((f) => JSON.stringify(wanted[f]) !== JSON.stringify(observed[f]));
        const [change] = diff([want(wanted)], observing(has(observed)));
        if (differing.length === 0) expect(change?.action).toBe("keep");
        else
          expect(change).toEqual({
            action: "update",
            desired: want(wanted),
            observed: has(observed),
            fields: differing.map((f) => ({ field: f, from: observed[f], to: wanted[f] })),
          });
      }),
    );
  });

  it("replaces exactly when a differing field is one AWS cannot change in place", () => {
    fc.assert(
      fc.property(fieldsArb, fieldsArb, fc.subarray(["port", "path", "name"]), (wanted, observed, fixed) => {
        const replaceOn = Object.fromEntries(fixed.map((f) => [f, `${f} is fixed`]));
        const changed = fieldChanges(wanted, observed).map((c) => c.field);
        const [change] = diff([want(wanted, { replaceOn })], observing(has(observed)));
        expect(change?.action === "replace").toBe(changed.some((f) => fixed.includes(f)));
      }),
    );
  });

  it("deletes exactly the objects infra made that are no longer wanted", () => {
    const object = fc.record({ key: fc.constantFrom("a", "b", "c", "d", "e"), managed: fc.boolean() });
    fc.assert(
      fc.property(
        fc.uniqueArray(object, { selector: (o) => o.key }),
        fc.subarray(["a", "b", "c", "d", "e"]),
        (found, wanted) => {
          const observation = observing(...found.map((o) => has({}, o)));
          const changes = diff(
            wanted.map((key) => want({}, { key })),
            observation,
          );
          const deleted = changes.flatMap((c) => (c.action === "delete" ? [c.observed.key] : []));
          expect(deleted.sort()).toEqual(
            found
              .filter((o) => o.managed && !wanted.includes(o.key))
              .map((o) => o.key)
              .sort(),
          );
          // Every wanted object gets exactly one change, in the order wanted.
          expect(
            changes.filter((c) => c.action !== "delete").map((c) => ("desired" in c ? c.desired.key : "")),
          ).toEqual(wanted);
        },
      ),
    );
  });
});
