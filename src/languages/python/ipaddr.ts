import { F, pred, type Expr } from "../../model/expr.js";
import { matchCidr } from "../../model/match/cidr.js";
import type { PyNode } from "./ast.js";
import { fieldName, mkAnd, mkNot, mkOr } from "./exprs.js";
import type { Interp } from "./interp.js";
import { BOT, bool, cond, num, opq, type SymVal } from "./values.js";

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

/** validIp() of a constant, decided the same way the predicates decide it for a field. */
function validConstIp(s: string): boolean {
  return new RegExp(V4).test(s) || (s.includes(":") && matchCidr(s, "::/0"));
}

/** `x.split(":")[0]`: the text before the first colon, which can only be an IPv4 address. */
function isHostPart(x: FieldVal): boolean {
  const t = x.tx[0];
  return x.tx.length === 1 && t.op === "split" && t.sep === ":" && t.index === 0 && t.alt === undefined;
}

const V4_CORE = V4.slice(1, -1);

/** A regex over the raw value for "the text before the first colon (or all of it) matches `core`". */
function hostPartRegex(name: string, core: string): Expr {
  return pred(name, "regex", [`^(?:${core})(?::|$)`]);
}

/** Dotted-quad regex (no leading zeros, as V4) for the addresses of an IPv4 network. */
export function v4NetworkRegex(cidr: string): string {
  const [addr, len] = cidr.split("/");
  const octets = addr.split(".").map(Number);
  const bits = Number(len);
  const out: string[] = [];
  for (let i = 0; i < 4; i++) {
    const fixed = Math.max(0, Math.min(8, bits - 8 * i));
    const lo = octets[i] & (0xff << (8 - fixed)) & 0xff;
    const hi = lo | (0xff >> fixed);
    out.push(lo === 0 && hi === 255 ? "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)" : lo === hi ? String(lo) : `(?:${Array.from({ length: hi - lo + 1 }, (_, k) => String(lo + k)).join("|")})`);
  }
  return out.join("\\.");
}

export function ipAddress(it: Interp, x: SymVal, n: PyNode): SymVal {
  if (x.k === "none" || x.k === "bot") return BOT;
  if (x.k === "field" && !x.json && x.path.length > 0 && isHostPart(x)) {
    // ip_address(v.split(":")[0]): valid only as an IPv4 address (the part holds no colon).
    const name = fieldName(x.base, x.path);
    const ip: SymVal = { k: "builtin", name: "ipaddress.IP", self: x };
    return it.ite(mkAnd(mkNot(pred(name, "eq", [null])), hostPartRegex(name, V4_CORE)), ip, BOT);
  }
  // A constant (an accessor's default such as "0.0.0.0"): decided here.
  if (x.k === "str") return validConstIp(x.v) ? { k: "builtin", name: "ipaddress.IP", self: x } : BOT;
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
  if (ip.tx.length > 0) {
    if (!isHostPart(ip)) return opq(n.text, "ip address of a transformed value");
    const v4 = (nets: string[]): Expr => {
      const res = nets.filter((c) => !c.includes(":")).map(v4NetworkRegex);
      return res.length > 0 ? hostPartRegex(name, res.join("|")) : F;
    };
    if (PROPS[attr]) return cond(v4(PROPS[attr]));
    if (attr === "is_global") return cond(mkNot(v4([...PRIVATE, "100.64.0.0/10"])));
    if (attr === "version") return num(4);
    return opq(n.text, `ip address property ${attr}`);
  }
  if (PROPS[attr]) return cond(pred(name, "cidr", PROPS[attr]));
  if (attr === "is_global") return cond(mkNot(pred(name, "cidr", [...PRIVATE, "100.64.0.0/10"])));
  if (attr === "version") return { k: "ite", c: pred(name, "regex", [V4]), a: num(4), b: num(6) };
  return opq(n.text, `ip address property ${attr}`);
}

/** Properties of a constant address, with the networks the field predicates use. */
export function constIpProperty(ip: string, attr: string, n: PyNode): SymVal {
  const inAny = (nets: string[]): boolean => nets.some((c) => matchCidr(ip, c));
  if (PROPS[attr]) return bool(inAny(PROPS[attr]));
  if (attr === "is_global") return bool(!inAny([...PRIVATE, "100.64.0.0/10"]));
  if (attr === "version") return num(new RegExp(V4).test(ip) ? 4 : 6);
  return opq(n.text, `ip address property ${attr}`);
}

/** `ip in network`. */
export function ipInNetwork(ip: FieldVal, cidr: string): SymVal {
  return cond(pred(fieldName(ip.base, ip.path), "cidr", [cidr]));
}
