import { describe, expect, it } from "vitest";
import { describeIngress } from "../../src/resources/alb/observe.js";
import { permissionOf } from "../../src/resources/alb/security-groups.js";

describe("security group rules as lines and back", () => {
  it("reads back every kind of rule a group can hold: all traffic, ICMP, IPv6, prefix lists, other groups", () => {
    const perms = [
      { IpProtocol: "-1", IpRanges: [{ CidrIp: "10.0.0.0/8" }] },
      { IpProtocol: "icmp", FromPort: -1, ToPort: -1, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
      { IpProtocol: "tcp", FromPort: 8000, ToPort: 8010, Ipv6Ranges: [{ CidrIpv6: "::/0" }] },
      { IpProtocol: "tcp", FromPort: 443, ToPort: 443, PrefixListIds: [{ PrefixListId: "pl-0123abcd" }] },
      { IpProtocol: "udp", FromPort: 53, ToPort: 53, UserIdGroupPairs: [{ GroupId: "sg-0123456789abcdef0" }] },
    ];

    const lines = describeIngress(perms);

    expect(lines).toEqual([
      "all traffic from 10.0.0.0/8",
      "icmp -1 from 0.0.0.0/0",
      "tcp 443 from pl-0123abcd",
      "tcp 8000-8010 from ::/0",
      "udp 53 from sg-0123456789abcdef0",
    ]);
    expect(lines.map(permissionOf)).toEqual([
      { IpProtocol: "-1", IpRanges: [{ CidrIp: "10.0.0.0/8" }] },
      { IpProtocol: "icmp", FromPort: -1, ToPort: -1, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
      { IpProtocol: "tcp", FromPort: 443, ToPort: 443, PrefixListIds: [{ PrefixListId: "pl-0123abcd" }] },
      { IpProtocol: "tcp", FromPort: 8000, ToPort: 8010, Ipv6Ranges: [{ CidrIpv6: "::/0" }] },
      { IpProtocol: "udp", FromPort: 53, ToPort: 53, UserIdGroupPairs: [{ GroupId: "sg-0123456789abcdef0" }] },
    ]);
  });
});
