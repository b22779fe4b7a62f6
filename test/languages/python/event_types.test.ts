import assert from "node:assert/strict";
import { test } from "node:test";
import { compileRule as compile, opaqueReasons, run } from "./compile-helpers.js";

test("isinstance(x, ImmutableList): an event list is one, a default list is not", () => {
  const py = `from panther_core.immutable import ImmutableList

def rule(event):
    emails = event.get("emails", [])
    return isinstance(emails, ImmutableList) and len(emails) > 1
`;
  const e = compile(py, [{ emails: ["a", "b"] }]);
  assert.deepEqual(opaqueReasons(e), []);
  assert.equal(run(e, { emails: ["a", "b"] }), true);
  assert.equal(run(e, { emails: ["a"] }), false);
  assert.equal(run(e, {}), false);
});

test("ip_address of the part before a colon: an IPv4 address, its networks by regex", () => {
  const py = `import ipaddress

def host(event):
    v = event.get("caller", "")
    return v.split(":")[0] if ":" in v else v

def rule(event):
    h = host(event)
    if not h:
        return False
    try:
        ip = ipaddress.ip_address(h)
        return not (ip.is_private or ip.is_loopback)
    except ValueError:
        return True
`;
  const e = compile(py, [{ caller: "8.8.8.8:443" }]);
  assert.deepEqual(opaqueReasons(e), []);
  assert.equal(run(e, { caller: "8.8.8.8:443" }), true);
  assert.equal(run(e, { caller: "10.1.2.3:443" }), false);
  assert.equal(run(e, { caller: "172.20.0.1:1" }), false);
  assert.equal(run(e, { caller: "172.32.0.1:1" }), true);
  assert.equal(run(e, { caller: "127.0.0.1:80" }), false);
  // Not an address before the colon: ValueError, handled as external.
  assert.equal(run(e, { caller: "2001:db8::1" }), true);
  assert.equal(run(e, { caller: "192.168.1.1" }), false);
  assert.equal(run(e, {}), false);
});
