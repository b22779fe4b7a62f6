// Windows event-log records as `evtx_dump` writes them (Event.System +
// Event.EventData / UserData) flattened into the flat field map Sigma rules
// are written against. Plain flat events pass through unchanged.

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

/** An `{ "#text": x, "#attributes": … }` element reduces to its text. */
function textOf(v: unknown): unknown {
  if (isObj(v) && Object.hasOwn(v, "#text")) return v["#text"];
  return v;
}

/** Copies an element's children as fields; keys with spaces also get a space-less alias. */
function addData(out: Obj, data: Obj): void {
  for (const [k, raw] of Object.entries(data)) {
    if (k === "#attributes") continue;
    if (k === "Data" && Array.isArray(raw)) {
      addNamedData(out, raw);
      continue;
    }
    const v = textOf(raw);
    if (!Object.hasOwn(out, k)) out[k] = v;
    if (k.includes(" ")) {
      const alias = k.replace(/ /g, "");
      if (!Object.hasOwn(out, alias)) out[alias] = v;
    }
  }
}

/** The raw XML form `<Data Name="x">v</Data>` dumped as `Data: [{ "#attributes": { Name }, "#text" }]`. */
function addNamedData(out: Obj, items: unknown[]): void {
  const named: Obj = {};
  for (const it of items) {
    const name = isObj(it) && isObj(it["#attributes"]) ? it["#attributes"].Name : undefined;
    if (typeof name === "string") named[name] = textOf(it);
  }
  addData(out, named);
}

/** True for an evtx_dump record: `{ Event: { System: {...} } }`. */
export function isEvtxRecord(e: unknown): e is { Event: Obj } {
  return isObj(e) && isObj(e.Event) && isObj(e.Event.System);
}

/**
 * Flattens an evtx_dump record: EventData (and each UserData element's
 * children), then System's EventID, Channel, Computer, Level and
 * Provider_Name. A list of records is flattened record by record.
 * Idempotent: anything else is returned as it is.
 */
export function flattenEvent(e: unknown): unknown {
  if (Array.isArray(e)) return e.map(flattenEvent);
  if (!isEvtxRecord(e)) return e;
  const ev = e.Event;
  const sys = ev.System as Obj;
  const out: Obj = {};
  if (isObj(ev.EventData)) addData(out, ev.EventData);
  if (isObj(ev.UserData)) {
    for (const [k, el] of Object.entries(ev.UserData)) {
      if (k !== "#attributes" && isObj(el)) addData(out, el);
    }
    out.UserData = ev.UserData;
  }
  const provider = isObj(sys.Provider) && isObj(sys.Provider["#attributes"]) ? sys.Provider["#attributes"] : undefined;
  const system: Obj = {
    EventID: textOf(sys.EventID),
    Channel: sys.Channel,
    Computer: sys.Computer,
    Level: sys.Level,
    Provider_Name: provider?.Name,
  };
  for (const [k, v] of Object.entries(system)) if (v !== undefined && !Object.hasOwn(out, k)) out[k] = v;
  return out;
}
