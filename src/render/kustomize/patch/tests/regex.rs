use crate::render::kustomize::patch::regex::Regex;

fn full(pattern: &str, text: &str) -> bool {
    Regex::new(pattern).unwrap().is_full_match(text)
}

#[test]
fn matches_the_whole_name_only() {
    assert!(full("web", "web"));
    assert!(!full("web", "web-1"));
    assert!(!full("web", "my-web"));
    assert!(full("web.*", "web-1"));
    assert!(full(".*-db", "orders-db"));
    assert!(!full(".*-db", "orders-db-0"));
}

#[test]
fn supports_classes_groups_alternation_and_counts() {
    assert!(full("app-[0-9]+", "app-12"));
    assert!(!full("app-[0-9]+", "app-"));
    assert!(full("[^-]+-(api|worker)", "orders-worker"));
    assert!(!full("[^-]+-(api|worker)", "orders-web"));
    assert!(full(r"v\d{1,2}\.x", "v10.x"));
    assert!(!full(r"v\d{1,2}\.x", "v100.x"));
    assert!(full("(?:a|b)?c", "c"));
    assert!(full("a{2,}", "aaaa"));
    assert!(full("x{3}", "xxx"));
    assert!(full("a|", ""));
    assert!(full(r"[\w.-]+", "my_app.v-2"));
    assert!(full("^web$", "web"));
    assert!(full("a{", "a{"));
}

#[test]
fn pathological_patterns_stay_linear() {
    let text = "a".repeat(5000);
    assert!(!full("(a*)*b", &text));
    assert!(full("(a|aa)*", &text));
}

#[test]
fn rejects_what_it_does_not_support() {
    for pattern in [
        "(?i)web",
        r"\bweb",
        "[[:alpha:]]",
        "a**",
        "*a",
        "(a",
        "a)",
        "[a",
        r"\pL",
        "a{1001}",
    ] {
        assert!(Regex::new(pattern).is_err(), "{pattern}");
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = format!("{}a{}", "(".repeat(100_000), ")".repeat(100_000));
    assert!(Regex::new(&deep).is_err());
    assert!(Regex::new("(a{1000}){1000}").is_err());
}
