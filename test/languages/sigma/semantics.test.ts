import assert from "node:assert/strict";
import { test } from "node:test";
import { pred } from "../../../src/model/expr.js";
import { evaluate } from "../../../src/model/evaluate.js";
import { flattenEvent } from "../../../src/languages/sigma/event.js";
import { sigmaSemantics as sem } from "../../../src/languages/sigma/semantics.js";

const record = {
  Event: {
    System: {
      Provider: { "#attributes": { Name: "Microsoft-Windows-Sysmon" } },
      EventID: 1,
      Channel: "Microsoft-Windows-Sysmon/Operational",
      Computer: "host1",
      Level: 4,
    },
    EventData: { Image: "C:\\Windows\\System32\\rundll32.exe", "Threat Name": "X", Nested: { "#text": "t" } },
  },
};

test("an evtx_dump record flattens to EventData plus System fields and space-less aliases", () => {
  assert.deepEqual(flattenEvent(record), {
    Image: "C:\\Windows\\System32\\rundll32.exe",
    "Threat Name": "X",
    ThreatName: "X",
    Nested: "t",
    EventID: 1,
    Channel: "Microsoft-Windows-Sysmon/Operational",
    Computer: "host1",
    Level: 4,
    Provider_Name: "Microsoft-Windows-Sysmon",
  });
});

test("flattening is idempotent and leaves plain flat events alone", () => {
  const flat = flattenEvent(record);
  assert.deepEqual(flattenEvent(flat), flat);
  const plain = { Image: "C:\\x\\rundll32.exe" };
  assert.equal(sem.prepareEvent!(plain), plain);
});

test("the playground can evaluate a plain flat event", () => {
  const p = pred("Image", "endswith", ["\\rundll32.exe"], { caseSensitive: false });
  assert.equal(evaluate(p, sem.prepareEvent!({ Image: "C:\\x\\RunDll32.exe" }), sem), true);
});

test("UserData elements flatten too", () => {
  const ev = { Event: { System: { EventID: 5858, Channel: "Microsoft-Windows-WMI-Activity/Operational" }, UserData: { Operation_ClientFailure: { "#attributes": {}, ResultCode: "0x80041003" } } } };
  assert.equal((flattenEvent(ev) as Record<string, unknown>).ResultCode, "0x80041003");
});

test("Security 4688 names resolve through aliases: Image → NewProcessName", () => {
  assert.deepEqual(sem.resolve({ NewProcessName: "C:\\a.exe", ParentProcessName: "C:\\p.exe" }, "Image"), ["C:\\a.exe"]);
  assert.deepEqual(sem.resolve({ NewProcessName: "C:\\a.exe", ParentProcessName: "C:\\p.exe" }, "ParentImage"), ["C:\\p.exe"]);
});

test("EventData in the raw Data-list form flattens by Name", () => {
  const ev = { Event: { System: { EventID: 4688 }, EventData: { Data: [{ "#attributes": { Name: "NewProcessName" }, "#text": "C:\\a.exe" }] } } };
  assert.deepEqual(sem.resolve(sem.prepareEvent!(ev), "Image"), ["C:\\a.exe"]);
});
