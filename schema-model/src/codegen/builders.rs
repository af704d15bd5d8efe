//! The builders typify generates (`Type::builder()`, a setter per field,
//! then `try_into()`), finished for the crate's API:
//!
//! - a builder has a name of its own, `types::builder::OfferDataBuilder`,
//!   so that the docs never read as if a struct built itself;
//! - the envelopes (`OfferAccepted`, ...) have none: `OfferAccepted::new`
//!   builds one from its data, and the unknown event is made only by parsing;
//! - a builder fails with the crate's `BuildError`, which names the field and
//!   the cause as data, not with typify's strings or its error type.
//!
//! typify writes its builders' failures as strings; the two it writes are
//! rewritten here, and a string left over stops the build, so a typify that
//! writes them otherwise is noticed at once.

use std::collections::{BTreeMap, BTreeSet};

use quote::quote;
use syn::visit_mut::VisitMut;

use super::types::{document_methods, position, set_doc};
use super::Result;

/// What typify writes for a required field left unset.
const MISSING: &str = "no value supplied for ";
/// What typify writes when a setter's value does not convert.
const INVALID: &str = "error converting supplied value for ";

/// Drops the builders of `without`, renames the others, and makes them fail
/// with `BuildError`.
pub fn finish(file: &mut syn::File, without: &[String]) -> Result<()> {
    drop_builders(file, without);
    let names: BTreeSet<String> = file
        .items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Mod(m) if m.ident == "builder" => m.content.as_ref(),
            _ => None,
        })
        .flat_map(|(_, items)| items)
        .filter_map(|item| match item {
            syn::Item::Struct(s) => Some(s.ident.to_string()),
            _ => None,
        })
        .collect();
    for item in &mut file.items {
        match item {
            syn::Item::Mod(m) if m.ident == "builder" => {
                Rename {
                    names: &names,
                    inside: true,
                }
                .visit_item_mod_mut(m);
                if let Some((_, items)) = &mut m.content {
                    for item in items.iter_mut() {
                        if let syn::Item::Struct(s) = item {
                            s.ident = builder_ident(&s.ident);
                        }
                    }
                }
                Failures.visit_item_mod_mut(m);
            }
            other => Rename {
                names: &names,
                inside: false,
            }
            .visit_item_mut(other),
        }
    }
    ErrorPath.visit_file_mut(file);
    let text = quote!(#file).to_string();
    for left in [MISSING, INVALID] {
        if text.contains(left.trim_end()) {
            return Err(format!(
                "typify's builders fail with a string this generator does not recognise ({left:?}…): update schema-model/src/codegen/builders.rs"
            ));
        }
    }
    Ok(())
}

fn builder_ident(ident: &syn::Ident) -> syn::Ident {
    syn::Ident::new(&format!("{ident}Builder"), ident.span())
}

/// Whether `item` is about one of `names` (its type or its trait).
fn about(item: &syn::ItemImpl, names: &[String]) -> bool {
    let ty = &item.self_ty;
    let trait_ = item.trait_.as_ref().map(|(_, path, _)| quote!(#path).to_string());
    let text = format!("{} {}", quote!(#ty), trait_.unwrap_or_default());
    text.split(|c: char| !c.is_alphanumeric() && c != '_')
        .any(|word| names.iter().any(|n| n == word))
}

fn drop_builders(file: &mut syn::File, without: &[String]) {
    for item in &mut file.items {
        match item {
            syn::Item::Impl(i) if i.trait_.is_none() && about(i, without) => {
                i.items
                    .retain(|member| !matches!(member, syn::ImplItem::Fn(f) if f.sig.ident == "builder"));
            }
            syn::Item::Mod(m) if m.ident == "builder" => {
                if let Some((_, items)) = &mut m.content {
                    items.retain(|item| match item {
                        syn::Item::Struct(s) => !without.iter().any(|n| s.ident == n),
                        syn::Item::Impl(i) => !about(i, without),
                        _ => true,
                    });
                }
            }
            _ => {}
        }
    }
    file.items.retain(
        |item| !matches!(item, syn::Item::Impl(i) if i.trait_.is_none() && about(i, without) && i.items.is_empty()),
    );
}

/// `builder::X` outside the builder module, and `X` inside it, become `XBuilder`.
struct Rename<'a> {
    names: &'a BTreeSet<String>,
    inside: bool,
}

impl VisitMut for Rename<'_> {
    fn visit_path_mut(&mut self, path: &mut syn::Path) {
        let idents: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        let at = match (self.inside, idents.as_slice()) {
            (true, [one]) if self.names.contains(one) => Some(0),
            (false, [module, one]) if module == "builder" && self.names.contains(one) => Some(1),
            _ => None,
        };
        if let Some(at) = at {
            let segment = &mut path.segments[at];
            segment.ident = builder_ident(&segment.ident);
        }
        syn::visit_mut::visit_path_mut(self, path);
    }
}

/// A builder's failures as `BuildError`s: the field slots hold
/// `Result<T, BuildError>`, an unset field is `BuildError::missing`, a value
/// that does not convert is `BuildError::invalid`.
struct Failures;

impl VisitMut for Failures {
    fn visit_type_path_mut(&mut self, ty: &mut syn::TypePath) {
        if let Some(last) = ty.path.segments.last_mut() {
            if last.ident == "Result" {
                if let syn::PathArguments::AngleBracketed(args) = &mut last.arguments {
                    if let Some(syn::GenericArgument::Type(error)) = args.args.iter_mut().nth(1) {
                        if quote!(#error)
                            .to_string()
                            .replace(' ', "")
                            .ends_with("string::String")
                        {
                            *error = syn::parse_quote!(crate::types::BuildError);
                        }
                    }
                }
            }
        }
        syn::visit_mut::visit_type_path_mut(self, ty);
    }

    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        // `Err("no value supplied for x".to_string())`, in a field's slot.
        if let syn::Expr::Call(call) = expr {
            if let Some(field) = call.args.first().and_then(|arg| message_field(arg, MISSING)) {
                *expr = syn::parse_quote!(Err(crate::types::BuildError::missing(#field)));
                return;
            }
        }
        // `|e| format!("error converting supplied value for x: {e}")`
        if let syn::Expr::Closure(closure) = expr {
            if let Some(field) = message_field(&closure.body, INVALID) {
                let field = field.trim_end_matches(": {e}").to_owned();
                *expr = syn::parse_quote!(|e| crate::types::BuildError::invalid(#field, e));
                return;
            }
        }
        syn::visit_mut::visit_expr_mut(self, expr);
    }
}

/// The text after typify's message `prefix` in `expr`: a string literal,
/// `"…".to_string()`, or `format!("…", …)`.
fn message_field(expr: &syn::Expr, prefix: &str) -> Option<String> {
    let text = match expr {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => s.value(),
        syn::Expr::MethodCall(call) if call.method == "to_string" => {
            return message_field(&call.receiver, prefix)
        }
        syn::Expr::Macro(m) if m.mac.path.is_ident("format") => {
            let args = m
                .mac
                .parse_body_with(syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated)
                .ok()?;
            return message_field(args.first()?, prefix);
        }
        _ => return None,
    };
    text.strip_prefix(prefix).map(str::to_owned)
}

/// Rewrites typify's `…::error::ConversionError` to the crate's `BuildError`.
struct ErrorPath;

impl VisitMut for ErrorPath {
    fn visit_path_mut(&mut self, path: &mut syn::Path) {
        let names: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if names.ends_with(&["error".to_owned(), "ConversionError".to_owned()]) {
            *path = syn::parse_quote!(crate::types::BuildError);
        }
        syn::visit_mut::visit_path_mut(self, path);
    }
}

/// Documents the builder module, each builder and each setter (in the schema's order).
pub fn document(module: &mut syn::ItemMod, docs: &BTreeMap<String, Vec<(String, String)>>) {
    set_doc(
        &mut module.attrs,
        "Builders for the payload types: `Type::builder()`, a setter per field, then `try_into()`. A required field left unset fails with [`BuildError`].",
    );
    let Some((_, items)) = &mut module.content else {
        return;
    };
    for item in items {
        match item {
            syn::Item::Struct(s) => {
                let doc = format!("A builder for [`{0}`](super::{0}).", s.ident);
                set_doc(&mut s.attrs, &doc);
            }
            syn::Item::Impl(i) if i.trait_.is_none() => {
                document_methods(i, |method| {
                    Some(format!("Sets `{}`.", method.trim_start_matches("r#")))
                });
                // The setters in the schema's order, as the fields.
                let name = match &*i.self_ty {
                    syn::Type::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
                    _ => None,
                };
                if let Some(fields) = name.and_then(|n| docs.get(&n)) {
                    i.items.sort_by_key(|member| match member {
                        syn::ImplItem::Fn(f) => {
                            position(fields, f.sig.ident.to_string().trim_start_matches("r#"))
                        }
                        _ => usize::MAX,
                    });
                }
            }
            _ => {}
        }
    }
}
