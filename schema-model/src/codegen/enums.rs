//! Stage 2b: a Rust enum for every closed list of strings in `$defs`, open
//! to values Kit adds later. typify has no catch-all variant
//! (oxidecomputer/typify#862), so these are generated here and handed to
//! typify as replacements: typify names them in the fields it generates and
//! does not generate them itself.
//!
//! Each enum has one variant per documented value and `Unknown(UnknownValue)` for
//! any other, and is `#[non_exhaustive]`; `as_str`, `Display`, `FromStr` and
//! serde (an unknown value round-trips unchanged) come from the `open_enum!`
//! macro in `src/types.rs`, written once.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;
use serde_json::Value;

use super::model::Model;
use super::{pascal, Result};

/// The name of the catch-all variant, as in `WebhookEvent::Unknown`.
pub const CATCH_ALL: &str = "Unknown";

/// One documented value and its variant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Variant {
    /// `NoShow`.
    pub ident: String,
    /// `no_show`.
    pub value: String,
}

/// The variants of the closed list `schema` (definition `name`), or why it
/// cannot become a Rust enum.
pub fn variants(name: &str, schema: &Value) -> std::result::Result<Vec<Variant>, String> {
    let values = schema
        .get("enum")
        .and_then(Value::as_array)
        .ok_or_else(|| format!("{name} has no enum"))?;
    let mut out: Vec<Variant> = Vec::new();
    for value in values {
        let value = value.as_str().ok_or("every value must be a string")?;
        let ident = pascal(value);
        let valid = ident.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && ident.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            return Err(format!("{value:?} does not make a Rust variant name ({ident:?})"));
        }
        if ident == CATCH_ALL {
            return Err(format!(
                "{value:?} would be the variant `{CATCH_ALL}`, which holds the values this version does not know"
            ));
        }
        if let Some(other) = out.iter().find(|v| v.ident == ident) {
            return Err(format!(
                "{value:?} and {:?} both make the variant `{ident}`",
                other.value
            ));
        }
        out.push(Variant {
            ident,
            value: value.to_owned(),
        });
    }
    Ok(out)
}

/// The enums of every closed list in the model.
pub fn generate(model: &Model) -> Result<TokenStream> {
    let mut items = TokenStream::new();
    for (name, def) in model.string_enums() {
        let variants = variants(name, &def.schema)
            .map_err(|why| format!("{}: /$defs/{name}/enum: {why}", model.shown(def.file)))?;
        items.extend(one(name, &def.schema, &variants));
    }
    Ok(items)
}

fn one(name: &str, schema: &Value, variants: &[Variant]) -> TokenStream {
    let ident = Ident::new(name, Span::call_site());
    let description = schema
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or(name)
        .to_owned();
    let idents: Vec<Ident> = variants
        .iter()
        .map(|v| Ident::new(&v.ident, Span::call_site()))
        .collect();
    let values: Vec<&str> = variants.iter().map(|v| v.value.as_str()).collect();
    let docs: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
    let catch_all = Ident::new(CATCH_ALL, Span::call_site());
    let listed = values
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let open_doc = format!(
        " Known values: {listed}. A value Kit adds later is kept in [`{name}::{CATCH_ALL}`], so it never fails a delivery; match with a wildcard arm."
    );
    quote! {
        #[doc = #description]
        #[doc = ""]
        #[doc = #open_doc]
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #ident {
            #(
                #[doc = #docs]
                #idents,
            )*
            /// A value this version of the crate does not know, kept as received.
            #catch_all(crate::types::UnknownValue),
        }

        crate::types::open_enum!(#ident { #(#idents = #values,)* });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn variants_are_pascal_case_values() {
        let schema = json!({"enum": ["no_show", "candidate_accepted", "sent"]});
        let idents: Vec<String> = variants("S", &schema)
            .unwrap()
            .into_iter()
            .map(|v| v.ident)
            .collect();
        assert_eq!(idents, ["NoShow", "CandidateAccepted", "Sent"]);
    }

    #[test]
    fn values_that_cannot_be_variants_are_refused() {
        for (values, why) in [
            (json!(["a_b", "a-b"]), "both make the variant `AB`"),
            (json!(["unknown"]), "holds the values this version does not know"),
            (json!(["1st"]), "does not make a Rust variant name"),
            (json!([1]), "every value must be a string"),
        ] {
            let err = variants("S", &json!({ "enum": values })).unwrap_err();
            assert!(err.contains(why), "{err}");
        }
    }

    #[test]
    fn the_enum_has_a_catch_all_and_is_non_exhaustive() {
        let schema = json!({"description": "A status.", "enum": ["new"]});
        let code = one("Status", &schema, &variants("Status", &schema).unwrap()).to_string();
        assert!(code.contains("non_exhaustive"), "{code}");
        assert!(
            code.contains("Unknown (crate :: types :: UnknownValue)"),
            "{code}"
        );
        assert!(
            code.contains("open_enum ! (Status { New = \"new\" , })"),
            "{code}"
        );
    }
}
