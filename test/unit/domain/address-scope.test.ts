import { describe, expect, it } from "vitest";
import { addressScope, mayConnectTo } from "../../../functions/domain/address-scope.ts";

describe("addressScope", () => {
  it.each([
    // IPv4
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["10.0.0.1", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["169.254.169.254", "metadata"],
    ["169.254.170.2", "metadata"],
    ["169.254.1.1", "link-local"],
    ["100.64.0.1", "shared"],
    ["100.127.255.255", "shared"],
    ["224.0.0.1", "multicast"],
    ["239.255.255.250", "multicast"],
    ["255.255.255.255", "multicast"],
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "reserved"],
    ["192.0.2.10", "reserved"],
    ["198.18.0.1", "reserved"],
    ["240.0.0.1", "reserved"],
    ["93.184.216.34", "public"],
    ["8.8.8.8", "public"],
    ["172.32.0.1", "public"],
    ["100.128.0.1", "public"],
    ["169.255.0.1", "public"],
    // IPv6
    ["::1", "loopback"],
    ["0:0:0:0:0:0:0:1", "loopback"],
    ["::", "unspecified"],
    ["fe80::1", "link-local"],
    ["fe80::1%eth0", "link-local"],
    ["febf::1", "link-local"],
    ["fc00::1", "unique-local"],
    ["fd12:3456:789a::1", "unique-local"],
    ["fd00:ec2::254", "metadata"],
    ["FD00:EC2:0:0:0:0:0:254", "metadata"],
    ["ff02::1", "multicast"],
    ["fec0::1", "private"],
    ["2001:db8::1", "reserved"],
    ["2001::1", "reserved"],
    ["100::1", "reserved"],
    ["4000::1", "reserved"],
    ["2606:4700:4700::1111", "public"],
    ["2a00:1450:4001:81b::200e", "public"],
    // IPv4 inside IPv6 leads where the IPv4 address does
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["::FFFF:10.0.0.1", "private"],
    ["::ffff:169.254.169.254", "metadata"],
    ["::ffff:a9fe:a9fe", "metadata"],
    ["::ffff:0:127.0.0.1", "loopback"],
    ["::127.0.0.1", "loopback"],
    ["64:ff9b::10.0.0.1", "private"],
    ["64:ff9b::a9fe:a9fe", "metadata"],
    ["2002:7f00:1::", "loopback"],
    ["2002:a00:1::1", "private"],
    ["::ffff:93.184.216.34", "public"],
    ["64:ff9b::808:808", "public"],
  ])("%s is %s", (address, scope) => {
    // Act
    const found = addressScope(address);

    // Assess
    expect(found).toBe(scope);
  });

  it.each(["localhost", "127.1", "2130706433", "[::1]", "example.com", "1.2.3.4.5", ""])(
    "%j is not an address",
    (text) => {
      // Act
      const found = addressScope(text);

      // Assess
      expect(found).toBeUndefined();
    },
  );
});

describe("mayConnectTo", () => {
  it.each([
    ["93.184.216.34", false, true],
    ["2606:4700:4700::1111", false, true],
    ["127.0.0.1", false, false],
    ["::1", false, false],
    ["::ffff:127.0.0.1", false, false],
    ["127.0.0.1", true, true],
    ["::1", true, true],
    ["::ffff:127.0.0.1", true, true],
    ["10.0.0.1", true, false],
    ["169.254.169.254", true, false],
    ["fd00:ec2::254", true, false],
    ["0.0.0.0", true, false],
    ["::", true, false],
    ["localhost", true, false],
  ])("%s with loopback allowed %s: %s", (address, allowLoopback, allowed) => {
    // Act
    const may = mayConnectTo(address, { allowLoopback });

    // Assess
    expect(may).toBe(allowed);
  });
});
