import ipaddr from "ipaddr.js";

const nets = new Map<string, [ipaddr.IPv4 | ipaddr.IPv6, number] | null>();

function parseNet(cidr: string): [ipaddr.IPv4 | ipaddr.IPv6, number] | null {
  let n = nets.get(cidr);
  if (n === undefined) {
    try {
      n = cidr.includes("/") ? ipaddr.parseCIDR(cidr) : [ipaddr.parse(cidr), cidr.includes(":") ? 128 : 32];
    } catch {
      n = null;
    }
    nets.set(cidr, n);
  }
  return n;
}

/** True when `ip` lies in `cidr`; IPv4-mapped IPv6 addresses match IPv4 networks. */
export function matchCidr(ip: string, cidr: string): boolean {
  const net = parseNet(cidr);
  if (!net || !ipaddr.isValid(ip)) return false;
  let addr = ipaddr.parse(ip);
  if (addr.kind() === "ipv6" && net[0].kind() === "ipv4" && (addr as ipaddr.IPv6).isIPv4MappedAddress()) {
    addr = (addr as ipaddr.IPv6).toIPv4Address();
  }
  if (addr.kind() !== net[0].kind()) return false;
  return addr.match(net);
}
