//! The Git generator (`applicationset/generators/git.go`): directories matched with
//! `path.Match`, or files matched as `git ls-files` pathspecs, with the path parameters
//! Argo CD derives and the generator's `values`.

use std::collections::BTreeSet;

use serde_json::Value;

use super::generate::{Ctx, Failure, Generated, MAX_PARAM_SETS, append_values, error};
use super::glob::{doublestar_match, git_pathspec_match, path_match};
use super::names::sanitize_name;
use super::params::flatten;
use super::{Note, Params};

pub(crate) fn params(body: &Value, pointer: &str, ctx: &Ctx) -> Generated {
    let text = |key: &str| body.get(key).and_then(Value::as_str).unwrap_or_default();
    let (repo_url, revision) = (text("repoURL"), text("revision"));
    if !ctx.repo.is_checkout(repo_url, revision) {
        return Err(Failure::Skipped(Note {
            pointer: pointer.to_string(),
            message: format!(
                "the git generator reads {repo_url} at {revision:?}, which is not this checkout"
            ),
        }));
    }
    let prefix = text("pathParamPrefix");
    let nonempty = |key: &str| {
        body.get(key)
            .and_then(Value::as_array)
            .filter(|a| !a.is_empty())
    };
    let sets = if let Some(directories) = nonempty("directories") {
        let items = path_items(directories, &format!("{pointer}/directories"))?;
        directory_params(&items, prefix, ctx)
    } else if let Some(files) = nonempty("files") {
        let items = path_items(files, &format!("{pointer}/files"))?;
        file_params(&items, prefix, pointer, ctx)?
    } else {
        return Err(error(
            pointer,
            "the git generator has neither directories nor files",
        ));
    };
    if sets.len() > MAX_PARAM_SETS {
        return Err(error(
            pointer,
            format!("the git generator matches more than {MAX_PARAM_SETS} paths"),
        ));
    }
    let values_pointer = format!("{pointer}/values");
    sets.into_iter()
        .map(|mut set| {
            append_values(body.get("values"), &mut set, &values_pointer, ctx)?;
            Ok(set)
        })
        .collect()
}

/// `{path, exclude}` items.
fn path_items(items: &[Value], pointer: &str) -> Result<Vec<(String, bool)>, Failure> {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let path = item
                .get("path")
                .and_then(Value::as_str)
                .ok_or_else(|| error(&format!("{pointer}/{i}"), "an item has no path"))?;
            let exclude = item
                .get("exclude")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            Ok((path.to_string(), exclude))
        })
        .collect()
}

/// Go's `path.Base`.
fn base(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return if path.is_empty() { "." } else { "/" };
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed)
}

/// Go's `path.Dir` for the clean relative paths a checkout lists.
fn dir(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) => "/",
        Some(i) => &path[..i],
        None => ".",
    }
}

/// Directories in the order the repo server walks them: depth first, names sorted,
/// hidden directories and everything below them left out.
pub(crate) fn walk_order(mut dirs: Vec<String>) -> Vec<String> {
    dirs.retain(|d| !d.is_empty() && d != "." && !d.split('/').any(|s| s.starts_with('.')));
    dirs.sort_by(|a, b| a.split('/').cmp(b.split('/')));
    dirs.dedup();
    dirs
}

fn directory_params(items: &[(String, bool)], prefix: &str, ctx: &Ctx) -> Vec<Params> {
    ctx.dirs()
        .iter()
        .filter(|dir| {
            let (mut include, mut exclude) = (false, false);
            for (pattern, excluded) in items {
                // A malformed pattern is skipped, as Argo CD logs and continues.
                if path_match(pattern, dir).unwrap_or(false) {
                    if *excluded {
                        exclude = true;
                    } else {
                        include = true;
                    }
                }
            }
            include && !exclude
        })
        .map(|dir| path_params(dir, None, prefix, ctx.go_template(), Params::new()))
        .collect()
}

/// The path parameters of a directory (or of a file's directory, with `file`).
fn path_params(
    path: &str,
    file: Option<&str>,
    prefix: &str,
    go_template: bool,
    mut params: Params,
) -> Params {
    let basename = base(path).to_string();
    let name = |k: &str| {
        if prefix.is_empty() {
            k.to_string()
        } else {
            format!("{prefix}.{k}")
        }
    };
    if go_template {
        let mut path_map = Params::new();
        path_map.insert("path".into(), path.into());
        path_map.insert("basename".into(), basename.clone().into());
        path_map.insert("basenameNormalized".into(), sanitize_name(&basename).into());
        if let Some(file) = file {
            let filename = base(file).to_string();
            path_map.insert("filename".into(), filename.clone().into());
            path_map.insert("filenameNormalized".into(), sanitize_name(&filename).into());
        }
        let segments = path
            .split('/')
            .map(|s| Value::String(s.to_string()))
            .collect();
        path_map.insert("segments".into(), Value::Array(segments));
        if prefix.is_empty() {
            params.insert("path".into(), Value::Object(path_map));
        } else {
            let mut outer = Params::new();
            outer.insert("path".into(), Value::Object(path_map));
            params.insert(prefix.to_string(), Value::Object(outer));
        }
        return params;
    }
    let key = name("path");
    params.insert(key.clone(), path.into());
    params.insert(format!("{key}.basename"), basename.clone().into());
    params.insert(
        format!("{key}.basenameNormalized"),
        sanitize_name(&basename).into(),
    );
    if let Some(file) = file {
        let filename = base(file).to_string();
        params.insert(format!("{key}.filename"), filename.clone().into());
        params.insert(
            format!("{key}.filenameNormalized"),
            sanitize_name(&filename).into(),
        );
    }
    for (i, segment) in path.split('/').enumerate() {
        if !segment.is_empty() {
            params.insert(format!("{key}[{i}]"), segment.into());
        }
    }
    params
}

fn file_params(
    items: &[(String, bool)],
    prefix: &str,
    pointer: &str,
    ctx: &Ctx,
) -> Result<Vec<Params>, Failure> {
    let matches = |pattern: &str, file: &str| {
        if ctx.supplied.new_git_file_globbing {
            doublestar_match(pattern, file)
        } else {
            git_pathspec_match(pattern, file)
        }
    };
    let files: BTreeSet<&String> = ctx
        .files()
        .iter()
        .filter(|f| items.iter().any(|(p, ex)| !ex && matches(p, f)))
        .filter(|f| !items.iter().any(|(p, ex)| *ex && matches(p, f)))
        .collect();
    let mut out = Vec::new();
    for file in files {
        let content = ctx
            .repo
            .read_file(file)
            .ok_or_else(|| error(pointer, format!("unable to read file '{file}'")))?;
        let objects = parse_objects(&content).map_err(|e| {
            error(
                pointer,
                format!("unable to process file '{file}': unable to parse file: {e}"),
            )
        })?;
        for object in objects {
            let content_params = if ctx.go_template() {
                object
            } else {
                flatten(&object)
            };
            out.push(path_params(
                dir(file),
                Some(file),
                prefix,
                ctx.go_template(),
                content_params,
            ));
            if out.len() > MAX_PARAM_SETS {
                return Err(error(
                    pointer,
                    format!("the git generator yields more than {MAX_PARAM_SETS} parameter sets"),
                ));
            }
        }
    }
    Ok(out)
}

/// A file holds one object, or a list of objects (one parameter set each). An empty
/// file is one empty object.
fn parse_objects(content: &str) -> Result<Vec<Params>, String> {
    match super::yaml::parse_yaml(content)? {
        None | Some(Value::Null) => Ok(vec![Params::new()]),
        Some(Value::Object(map)) => Ok(vec![map]),
        Some(Value::Array(items)) => items
            .into_iter()
            .map(|item| match item {
                Value::Object(map) => Ok(map),
                Value::Null => Ok(Params::new()),
                _ => Err("a list item is not a map".to_string()),
            })
            .collect(),
        Some(_) => Err("the file holds neither a map nor a list of maps".into()),
    }
}
