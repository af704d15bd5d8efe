//! Stage 5: for each event, what the typed decoding of a lenient delivery
//! does not prove. The fast path of lenient parsing decodes a body straight
//! into its type and then runs only these checks; when they hold, the full
//! validator would accept the body too.
//!
//! The typed decoding proves a schema's `type`, `properties` and `required`,
//! `const` (an event's name), open lists of values, `additionalProperties`,
//! the `date-time` format (the types read timestamps strictly, see
//! `src/format.rs`) and integer bounds equal to those of `i64`. Any other
//! `format` on a string field becomes a check here. Anything else (a
//! pattern, a narrower bound, ...) the fast path does not try: that event
//! always goes to the full validator, and the generated code says why.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;
use serde_json::{Map, Value};

use super::model::Model;
use super::types::Fields;
use super::{forms, keywords};
use super::{unparse, walk, Result};

/// Formats the typed decoding proves itself.
const PROVEN_FORMATS: &[&str] = &["date-time"];

/// One check: a string field and its format.
struct Check {
    /// Field names from the event value down to the string.
    path: Vec<String>,
    /// Whether the string is an `Option` (a nullable or optional field).
    optional: bool,
    format: String,
}

/// The generated `residual.rs`.
pub fn generate(model: &Model, fields: &Fields) -> Result<String> {
    let mut arms = TokenStream::new();
    let mut formats = std::collections::BTreeSet::new();
    for event in &model.events {
        let variant = Ident::new(&event.title, Span::call_site());
        let schema = &model.set.events[&event.name].schema;
        let mut checks = Vec::new();
        match walk_node(
            model,
            fields,
            schema,
            Some(&event.title),
            &mut Vec::new(),
            "",
            false,
            false,
            &mut checks,
        ) {
            Ok(()) if checks.is_empty() => arms.extend(quote!(WebhookEvent::#variant(_) => true,)),
            Ok(()) => {
                formats.extend(checks.iter().map(|c| c.format.clone()));
                let exprs = checks.iter().map(check_expr);
                arms.extend(quote!(WebhookEvent::#variant(e) => #(#exprs)&&*,));
            }
            Err(why) => {
                let why = format!(" {}: {why}; the full validator decides", event.name);
                arms.extend(quote!(
                    #[doc = #why]
                    WebhookEvent::#variant(_) => false,
                ));
            }
        }
    }
    let formats = formats.iter();
    let tokens = quote! {
        /// The formats [`residual`] asks about.
        pub(crate) const RESIDUAL_FORMATS: &[&str] = &[#(#formats),*];

        /// Whether a known event's typed value, decoded from a lenient
        /// delivery, also passes what its type does not prove: `format`
        /// says whether a string has a JSON Schema format (jsonschema's own
        /// check). An event this version does not know is left to the full
        /// validator.
        pub(crate) fn residual(event: &WebhookEvent, format: &dyn Fn(&'static str, &str) -> bool) -> bool {
            #[allow(unreachable_patterns, unused_doc_comments)]
            match event {
                #arms
                _ => false,
            }
        }
    };
    let file: syn::File = syn::parse2(tokens).map_err(|e| format!("residual code does not parse: {e}"))?;
    Ok(unparse("by build.rs from schemas/", &file))
}

fn check_expr(check: &Check) -> TokenStream {
    let fields = check.path.iter().map(|f| Ident::new(f, Span::call_site()));
    let format = &check.format;
    if check.optional {
        quote!(e.#(#fields).*.as_deref().map_or(true, |s| format(#format, s)))
    } else {
        quote!(format(#format, &e.#(#fields).*))
    }
}

/// A schema with its reference resolved: the definition, the field's own
/// keywords winning, and the definition's name when it is a named type.
fn resolve<'a>(model: &'a Model, schema: &'a Value) -> (Map<String, Value>, Option<&'a str>) {
    let mut out = Map::new();
    let mut name = None;
    if let Some(target) = schema.get("$ref").and_then(Value::as_str) {
        let def = target.trim_start_matches("#/$defs/");
        if let Some(found) = model.set.defs.get(def) {
            let (inner, inner_name) = resolve(model, &found.schema);
            out = inner;
            name = if model.is_simple(def) {
                inner_name
            } else {
                Some(def)
            };
        }
    }
    if let Some(own) = schema.as_object() {
        for (key, value) in own {
            if key != "$ref" {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    (out, name)
}

/// Walks one schema at the Rust value `path` (of struct `rust` when it is a
/// named struct; at `pointer` in the delivery), collecting checks, or says
/// what cannot be proven.
#[allow(clippy::too_many_arguments)]
fn walk_node(
    model: &Model,
    fields: &Fields,
    schema: &Value,
    rust: Option<&str>,
    path: &mut Vec<String>,
    pointer: &str,
    optional: bool,
    inside_optional: bool,
    checks: &mut Vec<Check>,
) -> std::result::Result<(), String> {
    let (node, named) = resolve(model, schema);
    let rust = named.or(rust);
    let at = || {
        if pointer.is_empty() {
            "(root)".to_owned()
        } else {
            pointer.to_owned()
        }
    };
    let types = walk::types(&node).unwrap_or_default();
    for (keyword, value) in &node {
        match keyword.as_str() {
            k if keywords::rust(k) == keywords::Rust::Proven => {}
            "enum" if forms::is_string_enum(&node) => {}
            "anyOf" if forms::open_values(&node).is_some() => {}
            "additionalProperties" if value.is_boolean() => {}
            "minimum" if value.as_i64() == Some(i64::MIN) && types.contains(&"integer") => {}
            "maximum" if value.as_i64() == Some(i64::MAX) && types.contains(&"integer") => {}
            "format" => {
                let format = value.as_str().unwrap_or_default();
                if PROVEN_FORMATS.contains(&format) {
                    continue;
                }
                if types.iter().any(|t| *t != "string" && *t != "null") {
                    return Err(format!(
                        "`format` on a field that is not only a string, at {}",
                        at()
                    ));
                }
                // Checks below an optional object would need its `Option` opened.
                if inside_optional {
                    return Err(format!("a `format` inside an optional object, at {}", at()));
                }
                checks.push(Check {
                    path: path.clone(),
                    optional: optional || types.contains(&"null"),
                    format: format.to_owned(),
                });
            }
            other => return Err(format!("`{other}` at {}", at())),
        }
    }
    let Some(properties) = node.get("properties").and_then(Value::as_object) else {
        return Ok(());
    };
    let required: Vec<&str> = node
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let object_optional = optional || types.contains(&"null");
    for (name, property) in properties {
        let before = checks.len();
        let field_optional = !required.contains(&name.as_str());
        let field = rust
            .and_then(|r| fields.get(r))
            .and_then(|f| f.get(name))
            .cloned();
        path.push(field.clone().unwrap_or_else(|| name.clone()));
        let below = walk::push_token(pointer, name);
        walk_node(
            model,
            fields,
            property,
            None,
            path,
            &below,
            field_optional,
            inside_optional || object_optional,
            checks,
        )?;
        path.pop();
        if checks.len() > before && field.is_none() {
            return Err(format!(
                "a check inside an object without a named type, at {below}"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codegen::set::{Layout, SchemaSet};
    use serde_json::json;
    use std::path::Path;

    fn residual(edit: impl FnOnce(&mut Vec<crate::codegen::set::File>)) -> String {
        let mut files = crate::codegen::model::tests::files();
        edit(&mut files);
        let set = SchemaSet::from_files(Path::new("schemas"), Layout::Source, files).unwrap();
        let model = Model::new(set).unwrap();
        let (_, fields) = crate::codegen::types::generate(&model).unwrap();
        generate(&model, &fields).unwrap()
    }

    #[test]
    fn proven_schemas_need_no_check() {
        assert!(residual(|_| {}).contains("WebhookEvent::TestPing(_) => true"));
    }

    #[test]
    fn a_string_format_becomes_a_check() {
        let code = residual(|f| {
            f[0].doc["$defs"]["PingData"]["properties"]["contact"] =
                json!({"type": "string", "format": "email", "description": "c"});
            f[0].doc["$defs"]["PingData"]["properties"]["backup"] =
                json!({"type": ["string", "null"], "format": "email", "description": "b"});
            f[0].doc["$defs"]["PingData"]["required"] = json!(["contact", "backup"]);
        });
        assert!(code.contains(r#"format("email", &e.data.contact)"#), "{code}");
        assert!(
            code.contains(r#"e.data.backup.as_deref().map_or(true, |s| format("email", s))"#),
            "{code}"
        );
    }

    #[test]
    fn a_format_inside_an_optional_object_is_left_to_the_full_validator() {
        let code = residual(|f| {
            f[0].doc["$defs"]["Contact"] = json!({"type": ["object", "null"], "description": "c",
                "properties": {"email": {"type": "string", "format": "email", "description": "e"}}});
            f[0].doc["$defs"]["PingData"]["properties"]["contact"] =
                json!({"$ref": "#/$defs/Contact", "description": "c"});
        });
        assert!(
            code.contains("a `format` inside an optional object, at /data/contact/email"),
            "{code}"
        );
    }

    #[test]
    fn anything_else_leaves_the_event_to_the_full_validator() {
        let code = residual(|f| {
            f[0].doc["$defs"]["PingData"]["properties"]["code"] =
                json!({"type": "string", "pattern": "^[A-Z]+$", "description": "c"});
        });
        assert!(
            code.contains("test.ping: `pattern` at /data/code; the full validator decides"),
            "{code}"
        );
        assert!(code.contains("WebhookEvent::TestPing(_) => false"), "{code}");
    }
}
