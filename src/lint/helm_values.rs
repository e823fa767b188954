//! Findings in Helm templates say which values produced them.

use std::collections::HashMap;

use crate::apps::App;
use crate::diagnostic::{Diagnostic, Location};
use crate::discover;
use crate::load::Loaded;

/// A finding in a Helm template says which values produced it: a related location
/// for each value its line reads, where the app's render set it.
pub fn explain(diagnostics: &mut [Diagnostic], apps: &[App], loaded: &Loaded) {
    let by_name: HashMap<&str, &App> = apps
        .iter()
        .filter(|a| !a.helm.is_empty())
        .map(|a| (a.name.as_str(), a))
        .collect();
    if by_name.is_empty() {
        return;
    }
    for d in diagnostics {
        let Some(app) = d.app.as_deref().and_then(|name| by_name.get(name)) else {
            continue;
        };
        // The primary line first, then the lines of related places in templates.
        let places: Vec<Location> = std::iter::once(d.location.clone())
            .chain(d.related.iter().map(|r| r.location.clone()))
            .collect();
        let mut added: Vec<(Location, String)> = Vec::new();
        for place in places {
            let file = place.span.file;
            let rel = &loaded.file(file).rel;
            let source = loaded.sources.get(file);
            if place.line == 0 || source.text.is_empty() {
                continue;
            }
            let line = source.line_text(place.line as usize - 1);
            for provenance in app
                .helm
                .iter()
                .filter(|p| discover::within(rel, &p.chart_dir))
            {
                for (span, label) in
                    crate::render::helm_source::value_origins(provenance, loaded, line)
                {
                    let location = loaded.location(span);
                    if !added.iter().any(|(l, _)| *l == location) {
                        added.push((location, label));
                    }
                }
            }
        }
        for (location, label) in added {
            *d = d.clone().with_related(location, label);
        }
    }
}
