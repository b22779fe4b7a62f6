import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { relatedRules } from "../../src/analytics/related.js";
import { openCatalog } from "../../src/catalog/open.js";
import { getRuleView } from "../../src/catalog/read.js";
import { ingest } from "../../src/ingest/pipeline.js";
import { CORPORA, REPO, needCorpus, tempDir } from "../helpers/paths.js";

// Real Sigma and Chronicle corpora plus our Panther example, in one catalog:
// rules of three vendors that key on the same CloudTrail event names must count
// each other in the corpus column and appear as related, with evidence.
test(
  "CloudTrail rules of Sigma, Chronicle and Panther find each other through canonical fields",
  { skip: needCorpus("sigma") || needCorpus("chronicle"), timeout: 240_000 },
  async () => {
    const db = openCatalog(join(tempDir(), "c.db"));
    await ingest(db, [
      { dir: join(CORPORA, "sigma"), format: "sigma" },
      { dir: join(CORPORA, "chronicle"), format: "chronicle" },
      { dir: join(REPO, "examples", "panther"), format: "panther", name: "examples-panther" },
    ]);
    const chronicle = db
      .prepare("SELECT id FROM rules WHERE vendor = 'chronicle' AND path LIKE '%aws_config_service_modified%'")
      .get() as { id: string };
    const view = getRuleView(db, chronicle.id);
    assert.ok(view);
    const events = view.logic.indicators.find((r) => r.field === "metadata.product_event_type");
    assert.ok(events, "the Chronicle rule keys on metadata.product_event_type");
    const put = events.corpus.find((c) => c.value === "PutDeliveryChannel");
    assert.ok(put && put.canonical >= 1, "PutDeliveryChannel is counted across vendors in canonical space");
    assert.equal(put.raw, 0, "no other rule uses the UDM field name itself for it");

    const related = relatedRules(db, chronicle.id, { limit: 50 });
    const ids = JSON.stringify(related);
    assert.match(ids, /panther:AWS\.ConfigService\.Created/);
    assert.match(ids, /sigma:/);
    assert.match(ids, /both key on `PutDeliveryChannel`/);
    db.close();
  },
);
