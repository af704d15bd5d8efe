//! Stage 6: the shape of every event (`kit_webhooks_schema_model::shape`) as static
//! tables, for the drift report and strict mode: which keys each object
//! documents and whether strict mode closes it, the values of each
//! documented list, and the items of each array. The library walks them
//! beside the typed decoding, so that strict mode and drift cost one cheap
//! pass instead of a second validation.

use proc_macro2::TokenStream;
use quote::quote;

use super::model::Model;
use super::shape::{self, ShapeNode};
use super::{unparse, Result};

/// The generated `shapes.rs`.
pub fn generate(model: &Model) -> Result<String> {
    let shape = shape::derive(&model.set).map_err(|e| e.to_string())?;
    let nodes = shape.nodes.iter().map(node);
    // One root per event, in the order of `EventType::ALL` (which is also
    // the order of their names, as the library's lookups by name assume).
    let mut names = Vec::new();
    let mut roots = Vec::new();
    for event in &model.events {
        let root = shape
            .events
            .iter()
            .find(|(name, _)| *name == event.name)
            .map(|(_, root)| *root)
            .ok_or_else(|| format!("no shape for {}", event.name))?;
        names.push(event.name.as_str());
        roots.push(root);
    }
    if names.windows(2).any(|pair| pair[0] >= pair[1]) {
        return Err("the events are not in the order of their names".into());
    }
    if let Some(wide) = shape.nodes.iter().find(|n| n.props.len() > 64) {
        let (file, pointer) = wide.origin.clone().unwrap_or_default();
        return Err(format!(
            "{}: {pointer}: an object documents more than 64 fields, more than drift tracks",
            model.shown(file)
        ));
    }
    let tokens = quote! {
        /// Every node of the embedded schemas' shape; the first tracks nothing.
        pub(crate) static NODES: &[Node] = &[#(#nodes),*];

        /// Each event's name and the node of its whole delivery, in the order
        /// of `EventType::ALL` (and of the names).
        pub(crate) static EVENTS: &[(Cow<'static, str>, u32)] = &[#((Cow::Borrowed(#names), #roots)),*];
    };
    let file: syn::File = syn::parse2(tokens).map_err(|e| format!("shape tables do not parse: {e}"))?;
    Ok(unparse("by build.rs from schemas/", &file))
}

fn node(node: &ShapeNode) -> TokenStream {
    let keys = node.props.iter().map(|(key, _)| key);
    let children = node.props.iter().map(|(_, child)| child);
    let values = &node.values;
    let ShapeNode {
        closes,
        others,
        items,
        ..
    } = node;
    quote! {
        Node {
            props: Cow::Borrowed(&[#((Cow::Borrowed(#keys), #children)),*]),
            closes: #closes,
            others: #others,
            items: #items,
            values: Cow::Borrowed(&[#(Cow::Borrowed(#values)),*]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codegen::set::{Layout, SchemaSet};
    use std::path::Path;

    #[test]
    fn the_tables_list_every_event_and_node() {
        let set = SchemaSet::from_files(
            Path::new("schemas"),
            Layout::Source,
            crate::codegen::model::tests::files(),
        )
        .unwrap();
        let code = generate(&Model::new(set).unwrap()).unwrap();
        syn::parse_file(&code).unwrap();
        assert!(code.contains(r#"(Cow::Borrowed("test.ping"), "#), "{code}");
        assert!(code.contains(r#"Cow::Borrowed("event")"#), "{code}");
    }
}
