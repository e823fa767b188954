//! What changed since the base: per release of the fixture history, and with every kind
//! of uncommitted change.

use super::fixture::{TestRepo, V2, run_git};
use crate::release::{Base, BaseSource, Change, ChangeKind, CiEnv, Repo};

fn changes(repo: &Repo, base: &Base) -> Vec<(String, ChangeKind)> {
    repo.changes_since(base)
        .unwrap()
        .into_iter()
        .map(|Change { path, kind }| (path, kind))
        .collect()
}

fn expect(list: &[(&str, ChangeKind)]) -> Vec<(String, ChangeKind)> {
    list.iter()
        .map(|(path, kind)| (path.to_string(), *kind))
        .collect()
}

fn previous(repo: &Repo) -> Base {
    let base = repo.detect_base(None, &CiEnv::default()).unwrap();
    assert_eq!(base.source, BaseSource::PreviousCommit);
    base
}

#[test]
fn each_release_lists_its_own_changes_under_the_root() {
    use ChangeKind::*;
    let Some(test) = TestRepo::new() else { return };
    let releases = test.releases();
    let repo = test.open("apps/shop");
    let at = |commit: &str| Base {
        rev: commit.to_string(),
        commit: commit.to_string(),
        source: BaseSource::Flag,
    };

    // HEAD is the mixed release: the billing app and README outside the root are left
    // out, the move is a deletion and an addition.
    assert_eq!(
        changes(&repo, &previous(&repo)),
        expect(&[
            ("deployment.yaml", Modified),
            ("docs/migrations.md", Added),
            ("migrations/README.md", Deleted),
            ("migrations/V4__mixed.sql", Added),
            ("values.yaml", Deleted),
        ])
    );
    // Since the contract release's base (expand): the contract migration and the mixed
    // release together.
    let since_expand = changes(&repo, &at(&releases.expand));
    assert!(since_expand.contains(&("migrations/V3__drop_legacy.sql".to_string(), Added)));
    assert_eq!(since_expand.len(), 6);
    // Since the initial commit: the expand migration too.
    let since_initial = changes(&repo, &at(&releases.initial));
    assert!(since_initial.contains(&("migrations/V2__add_status.sql".to_string(), Added)));
    assert_eq!(since_initial.len(), 7);
    // From the top of the work tree, paths are relative to the top.
    let top = test.open("");
    let since_contract = changes(&top, &at(&releases.contract));
    assert!(since_contract.contains(&("apps/billing/deployment.yaml".to_string(), Modified)));
    assert!(since_contract.contains(&("apps/shop/values.yaml".to_string(), Deleted)));
}

#[test]
fn the_expand_release_alone() {
    use ChangeKind::*;
    let Some(test) = TestRepo::new() else { return };
    test.initial_release();
    test.write("apps/shop/migrations/V2__add_status.sql", V2);
    test.write(
        "apps/shop/deployment.yaml",
        super::fixture::deployment("shop:1.1"),
    );
    test.commit("expand");
    let repo = test.open("apps/shop");
    assert_eq!(
        changes(&repo, &previous(&repo)),
        expect(&[
            ("deployment.yaml", Modified),
            ("migrations/V2__add_status.sql", Added),
        ])
    );
}

#[test]
fn uncommitted_changes_of_every_kind_are_included() {
    use ChangeKind::*;
    let Some(test) = TestRepo::new() else { return };
    test.releases();
    test.write(".gitignore", "*.log\n");
    test.commit("ignore logs");
    let repo = test.open("apps/shop");

    test.write("apps/shop/deployment.yaml", "unstaged: true\n");
    test.write("apps/shop/migrations/V5__staged.sql", V2);
    test.git(&["add", "apps/shop/migrations/V5__staged.sql"]);
    test.write("apps/shop/migrations/V6 ünïcode name.sql", V2);
    test.write("apps/shop/new\nline.yaml", "odd: name\n");
    test.write("apps/shop/debug.log", "ignored\n");
    test.remove("apps/shop/migrations/V4__mixed.sql");
    // Removed from the index but still on disk: it exists, so it is not deleted.
    test.git(&["rm", "-q", "--cached", "apps/shop/docs/migrations.md"]);
    test.write("apps/billing/outside.yaml", "x: 1\n");
    // A nested repository's files are its own, not this repository's.
    test.write("apps/shop/nested/file.yaml", "x: 1\n");
    run_git(&test.path().join("apps/shop/nested"), &["init", "-q"]);

    let base = repo.detect_base(None, &CiEnv::default()).unwrap();
    assert_eq!(base.source, BaseSource::Uncommitted);
    assert_eq!(
        changes(&repo, &base),
        expect(&[
            ("deployment.yaml", Modified),
            ("docs/migrations.md", Modified),
            ("migrations/V4__mixed.sql", Deleted),
            ("migrations/V5__staged.sql", Added),
            ("migrations/V6 ünïcode name.sql", Added),
            ("new\nline.yaml", Added),
        ])
    );
}

#[test]
fn the_first_commit_changes_everything() {
    let Some(test) = TestRepo::new() else { return };
    test.initial_release();
    let repo = test.open("apps/shop");
    let base = repo.detect_base(None, &CiEnv::default()).unwrap();
    assert_eq!(base.source, BaseSource::NoPreviousCommit);
    let paths: Vec<_> = changes(&repo, &base)
        .into_iter()
        .map(|(path, kind)| {
            assert_eq!(kind, ChangeKind::Added, "{path}");
            path
        })
        .collect();
    assert_eq!(
        paths,
        [
            "deployment.yaml",
            "migrations/README.md",
            "migrations/V1__create_orders.sql",
            "values.yaml"
        ]
    );
}
