// Validate a Teams manifest (stdin) exactly as @microsoft/app-manifest does it (Ajv draft-04, allErrors,
// formats uri/email/regex), against the schema file named on the command line. Prints {"errors": [...]}.
"use strict";
const fs = require("fs");
const Ajv = require("ajv-draft-04");
const addFormats = require("ajv-formats");

const schema = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const manifest = JSON.parse(fs.readFileSync(0, "utf8"));
const ajv = new Ajv({ allErrors: true, strictTypes: false });
addFormats(ajv, ["uri", "email", "regex"]);
const validate = ajv.compile(schema);
const errors = validate(manifest) ? [] : validate.errors.map((e) => `${e.instancePath} ${e.message}`);
process.stdout.write(JSON.stringify({ errors }) + "\n");
