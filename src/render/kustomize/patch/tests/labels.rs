use std::collections::BTreeMap;

use crate::render::kustomize::patch::labels::Selector;

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn selects(selector: &str, pairs: &[(&str, &str)]) -> bool {
    Selector::parse(selector).unwrap().matches(&labels(pairs))
}

#[test]
fn equality_existence_and_sets() {
    let web = [("app", "web"), ("tier", "front")];
    assert!(selects("", &web));
    assert!(selects("app=web", &web));
    assert!(selects("app == web, tier", &web));
    assert!(!selects("app!=web", &web));
    assert!(selects("env!=prod", &web));
    assert!(selects("!env", &web));
    assert!(!selects("!app", &web));
    assert!(selects("app in (api, web)", &web));
    assert!(!selects("app notin (web)", &web));
    assert!(selects("env notin (prod)", &web));
    assert!(!selects("env in (prod)", &web));
    assert!(selects("app.kubernetes.io/name notin (x)", &web));
}

#[test]
fn numeric_comparisons() {
    assert!(selects("replicas>2", &[("replicas", "3")]));
    assert!(!selects("replicas<2", &[("replicas", "3")]));
    assert!(!selects("replicas>2", &[("replicas", "many")]));
}

#[test]
fn rejects_malformed_selectors() {
    for bad in [
        "app=",
        "=web",
        "app in ()",
        "app in web",
        "app=web,",
        "!app=web",
        "app==a b",
        "-x=y",
    ] {
        let parsed = Selector::parse(bad);
        // `app=` is valid: an empty value.
        if bad == "app=" {
            assert!(parsed.is_ok());
        } else {
            assert!(parsed.is_err(), "{bad}");
        }
    }
}
