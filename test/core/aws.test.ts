import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { DescribeLoadBalancersCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AwsClients } from "../../src/core/aws.js";

afterEach(() => vi.unstubAllEnvs());

const XMLNS = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/";

/** A local ELBv2 endpoint that throttles the first `throttled` requests, then answers with no load balancers. */
async function throttlingEndpoint(throttled: number): Promise<{ server: Server; url: string; requests: () => number }> {
  let requests = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      requests += 1;
      res.setHeader("content-type", "text/xml");
      if (requests <= throttled) {
        res.statusCode = 400;
        res.end(
          `<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r${requests}</RequestId></ErrorResponse>`,
        );
        return;
      }
      res.end(
        `<DescribeLoadBalancersResponse xmlns="${XMLNS}"><DescribeLoadBalancersResult><LoadBalancers/></DescribeLoadBalancersResult><ResponseMetadata><RequestId>ok</RequestId></ResponseMetadata></DescribeLoadBalancersResponse>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, requests: () => requests };
}

describe("AWS clients", () => {
  it("share one configuration: region, profile, endpoint, and more attempts than the SDK's 3", async () => {
    const aws = new AwsClients({ region: "eu-west-1", profile: "prod", endpoint: "http://127.0.0.1:4566" });
    const elbv2 = await aws.elbv2();
    expect(await elbv2.config.region()).toBe("eu-west-1");
    expect(await elbv2.config.maxAttempts()).toBe(8);
    expect(((await elbv2.config.retryStrategy()) as { mode?: string }).mode).toBe("standard");
    expect(elbv2.config.profile).toBe("prod");
    const endpoint = await elbv2.config.endpoint?.();
    expect(`${endpoint?.protocol}//${endpoint?.hostname}:${endpoint?.port}`).toBe("http://127.0.0.1:4566");
  });

  it("are made once, on first use, and only those asked for", async () => {
    const aws = new AwsClients({ region: "us-east-1" });
    const made = (aws as unknown as { made: Map<string, unknown> }).made;
    expect(made.size).toBe(0);
    expect(await aws.elbv2()).toBe(await aws.elbv2());
    expect([...made.keys()]).toEqual(["elbv2"]);
  });

  it("give a client of another region with the same configuration, made once per region", async () => {
    const aws = new AwsClients({ region: "us-east-1", profile: "prod", endpoint: "http://127.0.0.1:4566" });
    const ireland = await aws.inRegion("ecr", "eu-west-1");
    expect(await ireland.config.region()).toBe("eu-west-1");
    expect(ireland.config.profile).toBe("prod");
    expect(String((await ireland.config.endpoint?.())?.port)).toBe("4566");
    expect(await aws.inRegion("ecr", "eu-west-1")).toBe(ireland);
    // The stack's own region is the client every other call uses.
    expect(await aws.inRegion("ecr", "us-east-1")).toBe(await aws.ecr());
    expect(await (await aws.ecr()).config.region()).toBe("us-east-1");
  });

  it("take injected clients, for tests", async () => {
    const injected = new ElasticLoadBalancingV2Client({ region: "us-east-1" });
    const mock = mockClient(injected);
    mock.on(DescribeLoadBalancersCommand).resolves({ LoadBalancers: [] });
    const aws = new AwsClients({ region: "us-east-1" }, { elbv2: injected });
    await (await aws.elbv2()).send(new DescribeLoadBalancersCommand({}));
    expect(mock).toHaveReceivedCommandTimes(DescribeLoadBalancersCommand, 1);
    mock.restore();
  });

  it("retry throttling through the SDK's retry strategy, against a real HTTP endpoint", async () => {
    vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "secret");
    const endpoint = await throttlingEndpoint(3);
    try {
      const elbv2 = await new AwsClients({ region: "us-east-1", endpoint: endpoint.url }).elbv2();
      const out = await elbv2.send(new DescribeLoadBalancersCommand({}));
      expect(out.LoadBalancers).toEqual([]);
      expect(endpoint.requests()).toBe(4); // three throttled, the fourth answered: the SDK default would have given up
    } finally {
      endpoint.server.close();
    }
  });
});
