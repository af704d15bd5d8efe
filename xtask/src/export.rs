//! `cargo xtask export`: everything another language needs, derived from the
//! crate's embedded schemas, deterministic to the byte.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use kit_webhooks::{schema, EventType, Mode};
use serde_json::{json, Map, Value};

use crate::npm_package;
use crate::{option, root, tools};

pub fn main(args: &[String]) -> Result<(), String> {
    let out = option(args, "--out").map_or_else(|| root().join("dist"), PathBuf::from);
    let check = args.iter().any(|a| a == "--check");
    let files = all()?;
    if check {
        let stale = compare(&out, &files);
        if stale.is_empty() {
            println!("{}: up to date ({} files)", out.display(), files.len());
            return Ok(());
        }
        return Err(format!(
            "{} is stale; run `cargo xtask export` and commit the result:\n  {}",
            out.display(),
            stale.join("\n  ")
        ));
    }
    write_all(&out, &files)?;
    println!("wrote {} files to {}", files.len(), out.display());
    Ok(())
}

/// Every exported file: [`generate`]'s, then those made with Node and Python tools.
pub fn all() -> Result<BTreeMap<String, Vec<u8>>, String> {
    let mut files = generate()?;
    let types = tools::typescript_declarations(&files)?;
    files.insert("types/delivery.d.ts".into(), types);
    crate::kits::build(&mut files)?;
    Ok(files)
}

/// The files whose content differs between `dir` and `files`, and extra files in `dir`.
pub fn compare(dir: &Path, files: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let mut stale: Vec<String> = files
        .iter()
        .filter(|(path, content)| std::fs::read(dir.join(path)).ok().as_ref() != Some(*content))
        .map(|(path, _)| format!("{path} (missing or different)"))
        .collect();
    let mut on_disk = Vec::new();
    list(dir, dir, &mut on_disk);
    for path in on_disk {
        if !files.contains_key(&path) {
            stale.push(format!("{path} (no longer generated)"));
        }
    }
    stale
}

fn list(base: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            list(base, &path, out);
        } else if let Ok(rel) = path.strip_prefix(base) {
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
}

fn write_all(out: &Path, files: &BTreeMap<String, Vec<u8>>) -> Result<(), String> {
    if out.exists() {
        // Only ever remove a directory that holds an earlier export.
        if !out.join("package.json").exists()
            && std::fs::read_dir(out)
                .map(|mut d| d.next().is_some())
                .unwrap_or(false)
        {
            return Err(format!(
                "{} exists and is not an export; choose another --out",
                out.display()
            ));
        }
        std::fs::remove_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    }
    for (path, content) in files {
        let path = out.join(path);
        std::fs::create_dir_all(path.parent().expect("files live in a directory"))
            .map_err(|e| format!("{}: {e}", path.display()))?;
        std::fs::write(&path, content).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

fn pretty(value: &Value) -> Vec<u8> {
    let mut text = serde_json::to_vec_pretty(value).expect("a Value serialises");
    text.push(b'\n');
    text
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).expect("the crate's schemas are JSON")
}

/// Every exported file but the TypeScript declarations, which need Node.
pub fn generate() -> Result<BTreeMap<String, Vec<u8>>, String> {
    let mut files = BTreeMap::new();
    for &event in EventType::ALL {
        files.insert(
            format!("schemas/{event}.json"),
            event.bundled_schema(Mode::Lenient).as_bytes().to_vec(),
        );
        files.insert(
            format!("schemas/strict/{event}.json"),
            event.bundled_schema(Mode::Strict).as_bytes().to_vec(),
        );
    }
    files.insert(
        "webhook.json".into(),
        schema::union(Mode::Lenient).as_bytes().to_vec(),
    );
    files.insert(
        "webhook.strict.json".into(),
        schema::union(Mode::Strict).as_bytes().to_vec(),
    );
    files.insert(
        "webhook.codegen.json".into(),
        schema::codegen().as_bytes().to_vec(),
    );
    files.insert("openapi.json".into(), pretty(&openapi()));
    files.insert("events.md".into(), events_md().into_bytes());
    let vectors = root().join("tests/vectors/signatures.json");
    files.insert(
        "signature-vectors.json".into(),
        std::fs::read(&vectors).map_err(|e| format!("{}: {e}", vectors.display()))?,
    );
    // What changed since the last release, for teams that only take the export.
    let changelog = root().join("CHANGELOG.md");
    files.insert(
        "CHANGELOG.md".into(),
        std::fs::read(&changelog).map_err(|e| format!("{}: {e}", changelog.display()))?,
    );
    let (_, report) = crate::compat::released()?;
    files.insert(
        "schema-changes.json".into(),
        format!("{}\n", report.to_json()).into_bytes(),
    );
    files.insert("package.json".into(), pretty(&npm_package::package_json()));
    files.insert("index.js".into(), npm_package::index_js().into_bytes());
    files.insert("README.md".into(), npm_package::package_readme().into_bytes());
    crate::kits::generate(&mut files)?;
    Ok(files)
}

// ---------------------------------------------------------------------------
// OpenAPI 3.1
// ---------------------------------------------------------------------------

fn rewrite_refs(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get_mut("$ref") {
                if let Some(name) = target.strip_prefix("#/$defs/") {
                    *target = format!("#/components/schemas/{name}");
                }
            }
            map.values_mut().for_each(rewrite_refs);
        }
        Value::Array(items) => items.iter_mut().for_each(rewrite_refs),
        _ => {}
    }
}

fn header(name: &str, description: &str, schema: Value) -> Value {
    json!({ "name": name, "in": "header", "required": true, "description": description, "schema": schema })
}

fn openapi() -> Value {
    let union = parse(schema::union(Mode::Lenient));
    let mut components = union["$defs"].clone();
    rewrite_refs(&mut components);
    let mut webhooks = Map::new();
    for &event in EventType::ALL {
        let bundled = parse(event.bundled_schema(Mode::Lenient));
        let title = bundled["title"].as_str().unwrap_or_default().to_owned();
        let description = bundled["description"].as_str().unwrap_or_default();
        let operation_id = format!("{}{}", title[..1].to_lowercase(), &title[1..]);
        webhooks.insert(
            event.to_string(),
            json!({
                "post": {
                    "operationId": operation_id,
                    "summary": event.as_str(),
                    "description": description,
                    "tags": [event.as_str().split('.').next().unwrap_or_default()],
                    "parameters": [
                        header("Content-Type", "Always JSON (also stated by the request body's media type).",
                            json!({ "type": "string", "const": "application/json" })),
                        header("X-Webhook-Event", "The event type. Not covered by the signature: the signed body's `event` is the truth.",
                            json!({ "type": "string", "const": event.as_str() })),
                        header("X-Webhook-Signature", "HMAC-SHA256 of `<X-Webhook-Timestamp>.<raw body>` with the endpoint's signing secret, lowercase hex.",
                            json!({ "type": "string", "pattern": "^[0-9a-f]{64}$" })),
                        header("X-Webhook-Timestamp", "ISO 8601 timestamp used in the signature. Reject deliveries older than 5 minutes (and as far in the future).",
                            json!({ "type": "string", "format": "date-time", "examples": ["2025-01-15T14:30:00Z"] })),
                        header("User-Agent", "Identifies Kit as the sender.",
                            json!({ "type": "string", "examples": ["Kit-Webhooks/1.0"] })),
                    ],
                    "requestBody": {
                        "required": true,
                        "content": {
                            "application/json": {
                                "schema": { "$ref": format!("#/components/schemas/{title}") },
                                "example": bundled["examples"][0].clone(),
                            }
                        }
                    },
                    "responses": {
                        "2XX": { "description": "Delivered: any 2xx answered within 30 seconds." },
                        "4XX": { "description": "Failed at once and never retried: answer 4xx only to what is not authentic." },
                        "5XX": { "description": "Failed; retried with exponential backoff (as is a timeout)." }
                    }
                }
            }),
        );
    }
    json!({
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "Kit webhooks",
            "version": kit_webhooks::VERSION,
            "description": "The webhook deliveries Kit POSTs to your endpoint: one entry per event under `webhooks`. Generated from the kit-webhooks schemas; do not edit.",
        },
        "webhooks": webhooks,
        "components": { "schemas": components },
    })
}

// ---------------------------------------------------------------------------
// events.md: the human reference, from the schemas
// ---------------------------------------------------------------------------

use crate::fields::{fields, type_of};

fn rows(root: &Value, object: &Value, prefix: &str, out: &mut String) {
    let mut list = Vec::new();
    fields(root, object, prefix, &mut list);
    for field in list {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} |",
            field.path,
            field.ty,
            if field.nullable { "yes" } else { "no" },
            field.values,
            field.description.replace('|', "\\|")
        );
    }
}

fn events_md() -> String {
    let mut out = String::new();
    out.push_str(
        "<!-- @generated by `cargo xtask export` from the kit-webhooks schemas. Do not edit. -->\n\n",
    );
    out.push_str("# Kit webhook events\n\n");
    out.push_str("Every delivery wraps event-specific data in the same envelope. Every field below is required; a field that is nullable is present with `null`. Fields Kit may add later are allowed (the strict schemas under `schemas/strict/` reject them).\n\n");
    out.push_str(
        "## Envelope\n\n| Field | Type | Nullable | Values | Description |\n|---|---|---|---|---|\n",
    );
    let envelope = parse(EventType::TestPing.bundled_schema(Mode::Lenient));
    for name in ["event", "created_at", "data"] {
        let field = &envelope["properties"][name];
        let ty = if name == "event" {
            "string".into()
        } else {
            type_of(&envelope, field)
        };
        let description = match name {
            "event" => "The event type that triggered this delivery",
            "data" => "Event-specific payload (varies by event type)",
            _ => field["description"].as_str().unwrap_or_default(),
        };
        let _ = writeln!(out, "| `{name}` | {ty} | no |  | {description} |");
    }
    out.push_str("\n## Request headers\n\n| Header | Example | Description |\n|---|---|---|\n");
    out.push_str("| `Content-Type` | `application/json` | Always JSON |\n");
    out.push_str("| `X-Webhook-Event` | `application.submitted` | The event type (not signed: the body's `event` is the truth) |\n");
    out.push_str("| `X-Webhook-Signature` | `a1b2c3d4...` | HMAC-SHA256 hex digest of `<X-Webhook-Timestamp>.<raw body>` |\n");
    out.push_str(
        "| `X-Webhook-Timestamp` | `2025-01-15T14:30:00Z` | ISO 8601 timestamp used in the signature |\n",
    );
    out.push_str("| `User-Agent` | `Kit-Webhooks/1.0` | Identifies Kit as the sender |\n");

    // Group the events by the shape of their data, in the order of EventType::ALL.
    let mut groups: Vec<(String, Vec<EventType>)> = Vec::new();
    for &event in EventType::ALL {
        let bundled = parse(event.bundled_schema(Mode::Lenient));
        let data = bundled["properties"]["data"]["$ref"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        match groups.iter_mut().find(|(d, _)| *d == data) {
            Some((_, events)) => events.push(event),
            None => groups.push((data, vec![event])),
        }
    }
    for (data_ref, events) in groups {
        let first = parse(events[0].bundled_schema(Mode::Lenient));
        let data_name = data_ref.trim_start_matches("#/$defs/");
        let data = &first["$defs"][data_name];
        let _ = writeln!(out, "\n## {}\n", data["title"].as_str().unwrap_or(data_name));
        let _ = writeln!(out, "{}\n", data["description"].as_str().unwrap_or_default());
        out.push_str("| Event | Description |\n|---|---|\n");
        for event in &events {
            let bundled = parse(event.bundled_schema(Mode::Lenient));
            let _ = writeln!(
                out,
                "| `{event}` | {} |",
                bundled["description"].as_str().unwrap_or_default()
            );
        }
        // The example shown is the reference's own: the event whose example
        // carries the data definition's example.
        let shown = events
            .iter()
            .find(|e| parse(e.bundled_schema(Mode::Lenient))["examples"][0]["data"] == data["examples"][0])
            .unwrap_or(&events[0]);
        let fixture = root().join(format!("tests/fixtures/valid/{shown}.json"));
        let example = std::fs::read_to_string(&fixture).unwrap_or_default();
        let _ = writeln!(
            out,
            "\nExample (`{shown}`):\n\n```json\n{}\n```\n",
            example.trim_end()
        );
        out.push_str(
            "| Field (in `data`) | Type | Nullable | Values | Description |\n|---|---|---|---|---|\n",
        );
        rows(&first, &first["properties"]["data"], "", &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed `dist/` matches a fresh export. (The files made with
    /// Node and Python tools are taken as committed; `cargo xtask export
    /// --check` covers them.)
    #[test]
    fn the_committed_export_is_up_to_date() {
        let mut files = generate().unwrap();
        let dist = root().join("dist");
        for path in crate::kits::TOOL_MADE {
            let made =
                std::fs::read(dist.join(path)).unwrap_or_else(|e| panic!("dist/{path} is committed: {e}"));
            files.insert((*path).into(), made);
        }
        let stale = compare(&dist, &files);
        assert!(
            stale.is_empty(),
            "dist/ is stale; run `cargo xtask export`:\n{}",
            stale.join("\n")
        );
    }

    #[test]
    fn the_export_is_deterministic() {
        assert_eq!(generate().unwrap(), generate().unwrap());
    }

    #[test]
    fn openapi_names_every_event_with_the_five_headers() {
        let openapi = openapi();
        let webhooks = openapi["webhooks"].as_object().unwrap();
        assert_eq!(webhooks.len(), EventType::ALL.len());
        for (name, item) in webhooks {
            let parameters = item["post"]["parameters"].as_array().unwrap();
            let headers: Vec<&str> = parameters.iter().map(|p| p["name"].as_str().unwrap()).collect();
            assert_eq!(
                headers,
                [
                    "Content-Type",
                    "X-Webhook-Event",
                    "X-Webhook-Signature",
                    "X-Webhook-Timestamp",
                    "User-Agent"
                ]
            );
            let target = item["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
                .as_str()
                .unwrap();
            let title = target.trim_start_matches("#/components/schemas/");
            assert!(openapi["components"]["schemas"][title].is_object(), "{name}");
        }
        assert!(!serde_json::to_string(&openapi).unwrap().contains("#/$defs/"));
    }

    #[test]
    fn events_md_lists_every_field_of_every_family() {
        let md = events_md();
        for &event in EventType::ALL {
            assert!(md.contains(&format!("`{event}`")), "{event}");
        }
        for row in [
            "| `candidate.email` | string (email) | no |",
            "| `status` | string | no | `pending`, `accepted`, `declined`, `candidate_accepted`, `candidate_declined`, `expired`, or a value Kit adds later (strict: refused) |",
            "| `last_error_code` | string \\| null | yes |",
            "| `scheduled_at` | string (date-time) \\| null | yes |",
        ] {
            assert!(md.contains(row), "{row}");
        }
    }
}
