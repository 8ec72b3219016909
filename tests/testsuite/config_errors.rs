//! Every mistake a user can make in the config or the articles, as a fixture
//! (`tests/fixtures/config/<case>/quire.toml`) with the exact diagnostics it
//! must print (`expected.txt`): file, line, column, message and hints.

use quire::build::{build, load_project, BuildOptions};
use quire::error::{Diagnostics, Error};

use crate::common::{assert_no_mismatches, cases, check_snapshot, relative};

/// What `quire check` reports for a config.
fn check(config: &std::path::Path) -> String {
    let found: Result<Diagnostics, Error> =
        load_project(config).and_then(|(project, mut warnings)| {
            let options = BuildOptions {
                dry_run: true,
                ..BuildOptions::default()
            };
            let (_, found) = build(&project, &options)?;
            warnings.extend(found);
            Ok(warnings)
        });
    let output = match found {
        Ok(diagnostics) | Err(Error::Invalid(diagnostics)) => {
            diagnostics.iter().map(|d| format!("{d}\n")).collect()
        }
        Err(other) => format!("{other}\n"),
    };
    without_installed_families(&output)
}

/// `output` with the installed font families a hint names (they differ
/// from machine to machine) as `<installed families>`.
fn without_installed_families(output: &str) -> String {
    output
        .lines()
        .map(|line| match line.split_once("installed family, such as ") {
            Some((start, _)) => format!("{start}installed family, such as <installed families>\n"),
            None => format!("{line}\n"),
        })
        .collect()
}

#[test]
fn config_error_fixtures() {
    let mut mismatches = Vec::new();
    for case in cases("config") {
        let output = check(&relative(&case.join("quire.toml")));
        assert!(
            !output.is_empty(),
            "{}: no diagnostic at all",
            case.display()
        );
        mismatches.extend(check_snapshot(&case.join("expected.txt"), &output));
    }
    assert_no_mismatches(mismatches);
}

#[test]
fn every_config_error_names_its_file() {
    for case in cases("config") {
        let output = check(&relative(&case.join("quire.toml")));
        for line in output
            .lines()
            .filter(|l| l.contains("error:") && !l.starts_with("  hint"))
        {
            assert!(
                line.starts_with("tests/fixtures/config/"),
                "{}: error without a file: {line}",
                case.display()
            );
        }
    }
}
