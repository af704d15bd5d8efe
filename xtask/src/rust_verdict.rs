//! The Rust half of the differ's verdict, generatively: the real schemas
//! changed one way at random; wherever `kit-webhooks diff` calls a change
//! non-breaking, the types the crate's own generator makes of NEW must keep
//! every type, public field and variant OLD's had, with the same Rust types.
//! The judge is the generator's output read by syn, which shares no code
//! with the differ's rules about what typify makes of a keyword.
//!
//! `cargo test -p xtask rust_verdict` runs it (in CI with the workspace's
//! tests); the counts it prints go in the closing notes.

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::{Path, PathBuf};

    use crate::tools::copy_dir;
    use kit_webhooks_schema_model::codegen;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};
    use quote::ToTokens;
    use serde_json::{json, Value};

    /// The generated API: each type by name, with its public fields (a
    /// struct's) or variants (an enum's, with their fields), each with its
    /// Rust type as tokens.
    type Api = BTreeMap<String, BTreeMap<String, String>>;

    fn api(schemas: &Path) -> Result<Api, String> {
        let files = std::panic::catch_unwind(|| codegen::generate(schemas))
            .map_err(|_| "the generator panicked".to_owned())??;
        let mut out = Api::new();
        for name in ["types.rs", "registry.rs"] {
            let text = files.get(name).ok_or(format!("no {name}"))?;
            let file = syn::parse_file(text).map_err(|e| format!("{name}: {e}"))?;
            items(&file.items, "", &mut out);
        }
        Ok(out)
    }

    fn items(list: &[syn::Item], module: &str, out: &mut Api) {
        let public = |v: &syn::Visibility| matches!(v, syn::Visibility::Public(_));
        let ty = |t: &syn::Type| t.to_token_stream().to_string();
        for item in list {
            match item {
                syn::Item::Struct(s) if public(&s.vis) => {
                    let fields = s
                        .fields
                        .iter()
                        .enumerate()
                        .filter(|(_, f)| public(&f.vis))
                        .map(|(i, f)| {
                            (
                                f.ident.as_ref().map_or(i.to_string(), ToString::to_string),
                                ty(&f.ty),
                            )
                        })
                        .collect();
                    out.insert(format!("{module}{}", s.ident), fields);
                }
                syn::Item::Enum(e) if public(&e.vis) => {
                    let variants = e
                        .variants
                        .iter()
                        .map(|v| {
                            let fields: Vec<String> = v.fields.iter().map(|f| ty(&f.ty)).collect();
                            (v.ident.to_string(), fields.join(", "))
                        })
                        .collect();
                    out.insert(format!("{module}{}", e.ident), variants);
                }
                syn::Item::Type(t) if public(&t.vis) => {
                    out.insert(
                        format!("{module}{}", t.ident),
                        [("=".to_owned(), ty(&t.ty))].into(),
                    );
                }
                syn::Item::Mod(m) if public(&m.vis) => {
                    if let Some((_, inner)) = &m.content {
                        items(inner, &format!("{module}{}::", m.ident), out);
                    }
                }
                _ => {}
            }
        }
    }

    /// What NEW's API lost or changed of OLD's.
    fn lost(old: &Api, new: &Api) -> Vec<String> {
        let mut out = Vec::new();
        for (name, members) in old {
            let Some(now) = new.get(name) else {
                out.push(format!("type {name} is gone"));
                continue;
            };
            for (member, ty) in members {
                match now.get(member) {
                    None => out.push(format!("{name}::{member} is gone")),
                    Some(t) if t != ty => out.push(format!("{name}::{member}: {ty} → {t}")),
                    Some(_) => {}
                }
            }
        }
        out
    }

    /// Schemas a change may put in: what the real schemas use and what
    /// typify makes types of its own from.
    fn leaf() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(json!({"type": "string"})),
            Just(json!({"type": ["string", "null"]})),
            Just(json!({"type": "integer"})),
            Just(json!({"type": "boolean"})),
            Just(json!({"minLength": 1})),
            Just(json!({"maxLength": 9})),
            Just(json!({"pattern": "^a"})),
            Just(json!({"format": "date-time"})),
            Just(json!({"format": "email"})),
            Just(json!({"format": "uuid"})),
            Just(json!({"enum": ["x", "y"]})),
            Just(json!({"type": "string", "enum": ["x", "y"]})),
            Just(json!({"const": "x"})),
            Just(json!({"minimum": 0})),
            Just(json!({"maximum": 100})),
            Just(json!({"minItems": 1})),
            Just(json!({"type": "array", "items": {"type": "string"}})),
            Just(json!({"type": "object", "properties": {"q": {"type": "string"}}})),
            Just(json!({"additionalProperties": false})),
            Just(json!({"description": "Changed."})),
            Just(
                json!({"type": "object", "additionalProperties": {"type": "string"}, "propertyNames": {"maxLength": 5}})
            ),
            Just(json!({"title": "Another title"})),
            Just(json!({"type": "number"})),
            Just(json!({"type": ["integer", "null"]})),
            Just(json!({"format": "date"})),
            Just(json!({"minimum": -1})),
            Just(json!({"maximum": 4294967295u64})),
            Just(json!({"uniqueItems": true})),
            Just(json!({"type": "array", "items": {"type": "integer"}})),
            Just(json!({"additionalProperties": {"type": "string"}})),
            Just(json!({"default": "x"})),
        ]
    }

    /// The pointers of the schemas in `doc` a change may touch.
    fn nodes(v: &Value, at: String, out: &mut Vec<String>) {
        let Value::Object(map) = v else { return };
        if !at.is_empty() && !at.ends_with("/$defs") {
            out.push(at.clone());
        }
        for (k, c) in map {
            match k.as_str() {
                "items" | "additionalProperties" => nodes(c, format!("{at}/{k}"), out),
                "allOf" | "anyOf" | "oneOf" => {
                    for (i, b) in c.as_array().into_iter().flatten().enumerate() {
                        nodes(b, format!("{at}/{k}/{i}"), out);
                    }
                }
                "properties" | "$defs" => {
                    for (name, b) in c.as_object().into_iter().flatten() {
                        nodes(b, format!("{at}/{k}/{name}"), out);
                    }
                }
                _ => {}
            }
        }
    }

    /// One change at `at`: replace, add keywords, add a field, wrap in
    /// `allOf`, require a field, or drop a keyword. The generator wants a
    /// description on every field: a change keeps the one there was.
    fn mutate(doc: &mut Value, at: &str, leaf: &Value, kind: u8, pick: usize) {
        let Some(target) = doc.pointer_mut(at) else { return };
        let described = |mut schema: Value, from: &Value| {
            if let (Some(map), Some(d)) = (schema.as_object_mut(), from.get("description")) {
                map.insert("description".into(), d.clone());
            }
            schema
        };
        match (kind % 6, target) {
            (0, target) => *target = described(leaf.clone(), target),
            (1, Value::Object(map)) => {
                for (k, v) in leaf.as_object().into_iter().flatten() {
                    if k != "description" || !map.contains_key(k) {
                        map.insert(k.clone(), v.clone());
                    }
                }
            }
            (2, Value::Object(map)) if map.contains_key("properties") => {
                map["properties"]["extra_field"] = described(leaf.clone(), &json!({"description": "Added."}));
            }
            (4, Value::Object(map)) if map.contains_key("properties") => {
                let names: Vec<String> = map["properties"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, _)| k.clone())
                    .collect();
                let Some(name) = names.get(pick % names.len().max(1)).cloned() else {
                    return;
                };
                let required = map.entry("required").or_insert(json!([]));
                if let Some(list) = required.as_array_mut() {
                    if !list.contains(&json!(name)) {
                        list.push(json!(name));
                    }
                }
            }
            (5, Value::Object(map)) => {
                let keys: Vec<String> = map
                    .keys()
                    .filter(|k| *k != "description" && *k != "title")
                    .cloned()
                    .collect();
                if !keys.is_empty() {
                    map.remove(&keys[pick % keys.len()]);
                }
            }
            (_, target) => {
                let wrapped = json!({"allOf": [target.clone(), leaf]});
                *target = described(wrapped, target);
            }
        }
    }

    #[test]
    fn non_breaking_verdicts_keep_the_generated_api() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
        let work = std::env::temp_dir().join(format!("kit-webhooks-rust-verdict-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&work);
        let old = work.join("old");
        copy_dir(&root.join("schemas"), &old).unwrap();
        let old_api = api(&old).expect("today's schemas generate");
        // Every file and schema node a change may touch.
        let mut places = Vec::new();
        for dir in ["common", "events"] {
            let mut files: Vec<PathBuf> = std::fs::read_dir(old.join(dir))
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
            files.sort();
            for file in files {
                let doc: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
                let mut at = Vec::new();
                nodes(&doc, String::new(), &mut at);
                let rel = format!("{dir}/{}", file.file_name().unwrap().to_string_lossy());
                // An event's envelope is fixed by the generator.
                let envelope = ["/properties/event", "/properties/created_at", "/properties/data"];
                places.extend(
                    at.into_iter()
                        .filter(|p| !(dir == "events" && envelope.contains(&p.as_str())))
                        .map(|p| (rel.clone(), p)),
                );
            }
        }
        let counts = std::cell::Cell::new((0u32, 0u32, 0u32, 0u32));
        let mut runner = TestRunner::new(Config {
            cases: 600,
            failure_persistence: None,
            ..Config::default()
        });
        let result = runner.run(
            &(any::<usize>(), leaf(), any::<u8>(), any::<usize>()),
            |(place, leaf, kind, pick)| {
                let (rel, at) = &places[place % places.len()];
                let new = work.join("new");
                copy_dir(&old, &new).unwrap();
                let path = new.join(rel);
                let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
                mutate(&mut doc, at, &leaf, kind, pick);
                std::fs::write(&path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
                let (mut tried, mut unreadable, mut safe, mut checked) = counts.get();
                tried += 1;
                let report = match kit_webhooks::diff::diff_dirs(&old, &new) {
                    Ok(report) => report,
                    Err(_) => {
                        unreadable += 1;
                        counts.set((tried, unreadable, safe, checked));
                        return Ok(());
                    }
                };
                if !report.breaking {
                    safe += 1;
                    // A NEW the generator refuses breaks the build, not the API.
                    if let Ok(new_api) = api(&new) {
                        checked += 1;
                        let lost = lost(&old_api, &new_api);
                        prop_assert!(
                            lost.is_empty(),
                            "called non-breaking, but the generated API changes: {lost:?}\nthe change: {rel}#{at}, kind {}, {leaf}\n{}",
                            kind % 6,
                            report.to_text()
                        );
                    }
                }
                counts.set((tried, unreadable, safe, checked));
                Ok(())
            },
        );
        let (tried, unreadable, safe, checked) = counts.get();
        eprintln!(
            "rust verdict: {tried} changes, {unreadable} refused by the differ as input, {safe} called non-breaking, {checked} of them generated (the others the generator refuses) and checked: the API kept"
        );
        let _ = std::fs::remove_dir_all(&work);
        result.unwrap();
        assert!(
            checked >= 40,
            "too few non-breaking changes generated and checked: {checked}"
        );
    }
}
