// Check Adaptive Cards with the official renderer library (npm "adaptivecards", pinned in package.json).
// stdin: [{"name": ..., "card": {...}}, ...]; stdout: [{"name": ..., "problems": [...]}, ...].
// Each card is parsed for Teams' highest Adaptive Card version (1.5): elements, actions and properties that
// need a newer version, unknown types and bad values are parse events; validateProperties() adds the rest
// (missing required properties, duplicate ids, ...).
"use strict";
const fs = require("fs");
const path = require("path");
const AC = require(path.join(require.resolve("adaptivecards/package.json"), "..", "dist", "adaptivecards.js"));

const cards = JSON.parse(fs.readFileSync(0, "utf8"));
const results = cards.map(({ name, card }) => {
  const context = new AC.SerializationContext(AC.Versions.v1_5);
  const adaptiveCard = new AC.AdaptiveCard();
  adaptiveCard.parse(card, context);
  const problems = [];
  for (let i = 0; i < context.eventCount; i++) {
    problems.push(`parse: ${context.getEventAt(i).message}`);
  }
  for (const event of adaptiveCard.validateProperties().validationEvents) {
    problems.push(`validate: ${event.message}`);
  }
  return { name, problems };
});
process.stdout.write(JSON.stringify(results) + "\n");
