import { pred, type Expr } from "../../model/expr.js";
import type { PyNode } from "./ast.js";
import { fieldName, mkAnd, mkNot, mkOr } from "./exprs.js";
import type { Interp } from "./interp.js";
import { BOT, cond, num, opq, type SymVal } from "./values.js";

// The ipaddress module over event fields: ip_address(x) raises unless x is an
// address; its properties and `in ip_network(...)` become cidr predicates.

type FieldVal = SymVal & { k: "field" };

const V4 = "^(?:(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)$";

/** Networks of Python's is_private (3.11). */
const PRIVATE = [
  "0.0.0.0/8", "10.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/29", "192.0.0.170/31",
  "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4", "255.255.255.255/32",
  "::1/128", "::/128", "::ffff:0:0/96", "100::/64", "2001::/23", "2001:2::/48", "2001:db8::/32", "2001:10::/28", "fc00::/7", "fe80::/10",
];
const PROPS: Record<string, string[]> = {
  is_loopback: ["127.0.0.0/8", "::1/128"],
  is_link_local: ["169.254.0.0/16", "fe80::/10"],
  is_multicast: ["224.0.0.0/4", "ff00::/8"],
  is_reserved: ["240.0.0.0/4"],
  is_private: PRIVATE,
};

/** Whether the field holds an address Python's ip_address accepts (IPv6 through the cidr matcher). */
export function validIp(name: string): Expr {
  return mkOr(pred(name, "regex", [V4]), mkAnd(pred(name, "contains", [":"]), pred(name, "cidr", ["::/0"])));
}

export function ipAddress(it: Interp, x: SymVal, n: PyNode): SymVal {
  if (x.k === "none" || x.k === "bot") return BOT;
  if (x.k !== "field" || x.tx.length > 0 || x.path.length === 0) return opq(n.text, "ip_address of a computed value");
  const name = fieldName(x.base, x.path);
  const ip: SymVal = { k: "builtin", name: "ipaddress.IP", self: x };
  return it.ite(mkAnd(mkNot(pred(name, "eq", [null])), validIp(name)), ip, BOT);
}

export function ipNetwork(c: SymVal, n: PyNode): SymVal {
  if (c.k === "str") return { k: "builtin", name: "ipaddress.Network", self: c };
  return opq(n.text, "ip_network of a computed value");
}

/** `ip.is_private` and friends. */
export function ipProperty(ip: FieldVal, attr: string, n: PyNode): SymVal {
  const name = fieldName(ip.base, ip.path);
  if (PROPS[attr]) return cond(pred(name, "cidr", PROPS[attr]));
  if (attr === "is_global") return cond(mkNot(pred(name, "cidr", [...PRIVATE, "100.64.0.0/10"])));
  if (attr === "version") return { k: "ite", c: pred(name, "regex", [V4]), a: num(4), b: num(6) };
  return opq(n.text, `ip address property ${attr}`);
}

/** `ip in network`. */
export function ipInNetwork(ip: FieldVal, cidr: string): SymVal {
  return cond(pred(fieldName(ip.base, ip.path), "cidr", [cidr]));
}
