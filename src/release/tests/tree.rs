//! The files at the base, read from the object database.

use super::fixture::{TestRepo, V1, V2, V3, deployment};
use crate::release::{Base, BaseContent, BaseFile, BaseSource, CiEnv};

fn file(path: &str, bytes: impl AsRef<[u8]>) -> BaseFile {
    BaseFile {
        path: path.to_string(),
        content: BaseContent::File(bytes.as_ref().to_vec()),
    }
}

#[test]
fn the_base_of_the_mixed_release_is_the_contract_release() {
    let Some(test) = TestRepo::new() else { return };
    test.releases();
    // Uncommitted work must not leak into the base's content.
    test.write("apps/shop/values.yaml", "replicas: 9\n");
    test.git(&["add", "apps/shop/values.yaml"]);
    test.commit("values back");
    test.write("apps/shop/deployment.yaml", "changed: true\n");
    let repo = test.open("apps/shop");
    let base = repo.detect_base(None, &CiEnv::default()).unwrap();
    assert_eq!(base.source, BaseSource::Uncommitted);

    let files = repo.read_tree(&base).unwrap();
    assert_eq!(
        files,
        [
            file("deployment.yaml", deployment("shop:1.2")),
            file("docs/migrations.md", "Flyway migrations\n"),
            file("migrations/V1__create_orders.sql", V1),
            file("migrations/V2__add_status.sql", V2),
            file("migrations/V3__drop_legacy.sql", V3),
            file("migrations/V4__mixed.sql", super::fixture::V4),
            file("values.yaml", "replicas: 9\n"),
        ]
    );

    let previous = Base {
        rev: "HEAD~2".to_string(),
        commit: test.rev("HEAD~2"),
        source: BaseSource::Flag,
    };
    let sql = repo
        .read_tree_filtered(&previous, |path| path.ends_with(".sql"))
        .unwrap();
    let paths: Vec<_> = sql.iter().map(|file| file.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "migrations/V1__create_orders.sql",
            "migrations/V2__add_status.sql",
            "migrations/V3__drop_legacy.sql",
        ]
    );
}

#[test]
fn odd_names_bytes_duplicates_links_and_submodules() {
    let Some(test) = TestRepo::new() else { return };
    let binary = b"\0\x01\xffCRLF\r\n\r\nno newline at end".to_vec();
    test.write("root/a b/ünï.yaml", "same\n");
    test.write("root/copy.yaml", "same\n");
    test.write("root/new\nline.sql", "SELECT 1;\n");
    test.write("root/binary.bin", &binary);
    test.write("root/empty.yaml", "");
    test.write("outside.yaml", "same\n");
    #[cfg(unix)]
    std::os::unix::fs::symlink("copy.yaml", test.path().join("root/link.yaml")).unwrap();
    test.commit("files");
    // A submodule entry (a gitlink) without the submodule itself.
    let commit = test.rev("HEAD");
    let gitlink = format!("160000,{commit},root/vendor");
    test.git(&["update-index", "--add", "--cacheinfo", &gitlink]);
    test.commit("submodule");
    let repo = test.open("root");
    let head = Base {
        rev: "HEAD".to_string(),
        commit: test.rev("HEAD"),
        source: BaseSource::Flag,
    };

    let mut expected = vec![
        file("a b/ünï.yaml", "same\n"),
        file("binary.bin", &binary),
        file("copy.yaml", "same\n"),
        file("empty.yaml", ""),
    ];
    #[cfg(unix)]
    expected.push(BaseFile {
        path: "link.yaml".to_string(),
        content: BaseContent::Symlink,
    });
    expected.push(file("new\nline.sql", "SELECT 1;\n"));
    assert_eq!(repo.read_tree(&head).unwrap(), expected);
}

#[test]
fn nothing_at_the_empty_tree_or_under_a_root_the_base_lacks() {
    let Some(test) = TestRepo::new() else { return };
    test.initial_release();
    let repo = test.open("apps/shop");
    let base = repo.detect_base(None, &CiEnv::default()).unwrap();
    assert_eq!(base.source, BaseSource::NoPreviousCommit);
    assert_eq!(repo.read_tree(&base).unwrap(), []);

    test.write("apps/new/app.yaml", "x: 1\n");
    test.commit("new app");
    let repo = test.open("apps/new");
    let base = repo.detect_base(None, &CiEnv::default()).unwrap();
    assert_eq!(base.source, BaseSource::PreviousCommit);
    assert_eq!(repo.read_tree(&base).unwrap(), []);
}
