//! Base detection, one test per step of the order, each with the later steps' conditions
//! also present so the order itself is checked.

use super::fixture::{TestRepo, V2};
use crate::release::{Base, BaseSource, CiEnv, ReleaseError};

const EMPTY_TREE: &str = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

fn github(branch: &str) -> CiEnv {
    CiEnv {
        github_base_ref: Some(branch.to_string()),
        ..CiEnv::default()
    }
}

fn gitlab(sha: &str) -> CiEnv {
    CiEnv {
        gitlab_diff_base_sha: Some(sha.to_string()),
        ..CiEnv::default()
    }
}

fn both(branch: &str, sha: &str) -> CiEnv {
    CiEnv {
        github_base_ref: Some(branch.to_string()),
        gitlab_diff_base_sha: Some(sha.to_string()),
    }
}

#[test]
fn explicit_base_comes_first_and_peels_an_annotated_tag() {
    let Some(test) = TestRepo::new() else { return };
    let releases = test.releases();
    test.git(&["tag", "-a", "-m", "release 2", "v2", &releases.expand]);
    test.write("apps/shop/untracked.yaml", "x: 1\n");
    let repo = test.open("apps/shop");

    let base = repo
        .detect_base(Some("v2"), &both("main", &releases.initial))
        .unwrap();
    assert_eq!(base.commit, releases.expand);
    assert_eq!(base.source, BaseSource::Flag);
    let short = &releases.expand[..7];
    assert_eq!(base.to_string(), format!("v2 ({short}, given with --base)"));
}

#[test]
fn github_uses_the_merge_base_with_the_remote_tracking_branch() {
    let Some(test) = TestRepo::new() else { return };
    let releases = test.releases();
    // The pull request branched from `contract`; main moved on after.
    test.git(&["checkout", "-q", "-b", "feature", &releases.contract]);
    test.write("apps/shop/migrations/V5__feature.sql", V2);
    test.commit("feature");
    test.git(&["update-ref", "refs/remotes/origin/main", &releases.mixed]);
    // A stale local main must not be used while origin/main exists.
    test.git(&["branch", "-f", "main", &releases.initial]);
    let repo = test.open("apps/shop");

    let base = repo
        .detect_base(None, &both("main", &releases.expand))
        .unwrap();
    assert_eq!(base.commit, releases.contract);
    assert_eq!(base.source, BaseSource::GitHub);
    assert_eq!(base.rev, "origin/main");
}

#[test]
fn github_falls_back_to_the_local_branch() {
    let Some(test) = TestRepo::new() else { return };
    let releases = test.releases();
    test.git(&["checkout", "-q", "-b", "feature", &releases.expand]);
    test.commit("feature");
    let repo = test.open("");

    let base = repo.detect_base(None, &github("main")).unwrap();
    assert_eq!((base.rev.as_str(), base.commit), ("main", releases.expand));
}

#[test]
fn github_branch_missing_or_unrelated_is_an_error_with_a_hint() {
    let Some(test) = TestRepo::new() else { return };
    test.releases();
    let repo = test.open("");

    let error = repo.detect_base(None, &github("release-9")).unwrap_err();
    assert!(matches!(error, ReleaseError::BaseNotFound { .. }));
    let message = error.to_string();
    assert!(message.contains("`release-9`"), "{message}");
    assert!(message.contains("fetch-depth: 0"), "{message}");

    // A target branch with no history in common with HEAD (a root commit of its own).
    let tree = test.rev("HEAD^{tree}");
    let orphan = test.git(&["commit-tree", &tree, "-m", "orphan"]);
    test.git(&["update-ref", "refs/remotes/origin/other", orphan.trim()]);
    let error = repo.detect_base(None, &github("other")).unwrap_err();
    assert_eq!(
        error,
        ReleaseError::NoMergeBase {
            target: "origin/other".to_string()
        }
    );
}

#[test]
fn gitlab_uses_the_diff_base_sha() {
    let Some(test) = TestRepo::new() else { return };
    let releases = test.releases();
    test.write("apps/shop/untracked.yaml", "x: 1\n");
    let repo = test.open("apps/shop");

    let base = repo.detect_base(None, &gitlab(&releases.expand)).unwrap();
    assert_eq!(base.commit, releases.expand);
    assert_eq!(base.source, BaseSource::GitLab);

    let missing = "0123456789abcdef0123456789abcdef01234567";
    let message = repo
        .detect_base(None, &gitlab(missing))
        .unwrap_err()
        .to_string();
    assert!(message.contains(missing), "{message}");
    assert!(message.contains("GIT_DEPTH: 0"), "{message}");
}

#[test]
fn uncommitted_changes_under_the_root_make_head_the_base() {
    let Some(test) = TestRepo::new() else { return };
    test.releases();
    test.write(".gitignore", "*.log\n");
    test.commit("ignore logs");
    let head = test.rev("HEAD");
    let repo = test.open("apps/shop");
    let detect = || repo.detect_base(None, &CiEnv::default()).unwrap();
    assert_eq!(detect().source, BaseSource::PreviousCommit);

    // Ignored files and changes outside the root do not count.
    test.write("apps/shop/debug.log", "noise\n");
    test.write("apps/billing/new.yaml", "x: 1\n");
    test.write("README.md", "# changed\n");
    assert_eq!(detect().source, BaseSource::PreviousCommit);
    // Nor do files synclint never reads (a stray note, a report CI wrote).
    test.write("apps/shop/notes.txt", "todo\n");
    assert_eq!(detect().source, BaseSource::PreviousCommit);

    let uncommitted = |label: &str| {
        let base = detect();
        assert_eq!(base.source, BaseSource::Uncommitted, "{label}");
        assert_eq!(
            (base.rev.as_str(), &base.commit),
            ("HEAD", &head),
            "{label}"
        );
    };
    test.write("apps/shop/migrations/V5__new.sql", V2);
    uncommitted("untracked");
    test.git(&["add", "apps/shop/migrations/V5__new.sql"]);
    uncommitted("staged");
    test.git(&["reset", "-q"]);
    test.remove("apps/shop/migrations/V5__new.sql");
    test.write("apps/shop/deployment.yaml", "changed: true\n");
    uncommitted("unstaged");
}

#[test]
fn a_clean_work_tree_compares_with_the_previous_commit() {
    let Some(test) = TestRepo::new() else { return };
    let releases = test.releases();
    let repo = test.open("apps/shop");

    let base = repo.detect_base(None, &CiEnv::default()).unwrap();
    assert_eq!(base.commit, releases.contract);
    let short = &releases.contract[..7];
    assert_eq!(
        base.to_string(),
        format!("HEAD~1 ({short}, the previous commit)")
    );
}

#[test]
fn the_first_commit_or_none_compares_with_the_empty_tree() {
    let Some(test) = TestRepo::new() else { return };
    let empty = Base {
        rev: "empty tree".to_string(),
        commit: EMPTY_TREE.to_string(),
        source: BaseSource::NoPreviousCommit,
    };
    test.write("apps/shop/deployment.yaml", "kind: Deployment\n");
    // No commit yet, with an untracked file: still no previous release.
    let repo = test.open("");
    assert_eq!(repo.detect_base(None, &CiEnv::default()).unwrap(), empty);

    test.commit("first");
    assert_eq!(repo.detect_base(None, &CiEnv::default()).unwrap(), empty);
    assert_eq!(
        empty.to_string(),
        "empty tree (4b825dc, no previous commit, so every file is new)"
    );
}

#[test]
fn empty_ci_variables_count_as_unset() {
    let env = CiEnv::from_lookup(|name| match name {
        "GITHUB_BASE_REF" => Some(String::new()),
        "CI_MERGE_REQUEST_DIFF_BASE_SHA" => Some(" abc \n".to_string()),
        _ => None,
    });
    assert_eq!(env, gitlab("abc"));
}
