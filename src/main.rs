//! The `quire` command: parse flags, call the library, print diagnostics.

mod cli;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};
use quire::build::{build, format_sources, load_project, make_book, BuildOptions, Project};
use quire::error::{Diagnostic, Diagnostics, Error};
use quire::text::TextCount;
use quire::volume::resolve_volumes;

/// `println!` that never panics: what cannot be written (`quire list | head -1`
/// closes the pipe) is dropped.
macro_rules! out {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// `eprintln!` that never panics.
macro_rules! err {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        err!(
            "error: quire stopped on an internal error, a bug in quire: {info}\n  \
             hint: please report it with the files that cause it; books are written whole \
             or not at all, so the last good ones are intact"
        );
    }));
    let cli = Cli::parse();
    match run(&cli) {
        Ok(warnings) => {
            print_diagnostics(&warnings);
            if cli.deny_warnings && !warnings.is_empty() {
                err!("error: warnings are denied (--deny-warnings)");
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(Error::Invalid(diagnostics)) => {
            print_diagnostics(&diagnostics);
            ExitCode::FAILURE
        }
        Err(error) => {
            err!("error: {error}");
            if let Some(hint) = error.hint() {
                err!("  hint: {hint}");
            }
            ExitCode::FAILURE
        }
    }
}

fn print_diagnostics(diagnostics: &Diagnostics) {
    for d in diagnostics.iter() {
        err!("{d}");
    }
}

fn run(cli: &Cli) -> Result<Diagnostics, Error> {
    let source_date_epoch = source_date_epoch()?;
    let (project, mut diagnostics) = load_project(&cli.config)?;
    match &cli.command {
        Command::Build {
            volumes,
            editions,
            formats,
            out,
        } => {
            let options = BuildOptions {
                out_dir: out.clone(),
                volumes: volumes.clone(),
                editions: editions.clone(),
                formats: formats.clone(),
                source_date_epoch,
                dry_run: false,
            };
            let (built, found) = build(&project, &options)?;
            let quiet = !std::io::stdout().is_terminal() && std::env::var_os("CI").is_some();
            if !quiet || found.has_errors() {
                for book in &built {
                    out!(
                        "{}  {} chapters, {} KB",
                        book.path.display(),
                        book.chapters,
                        book.bytes.div_ceil(1024)
                    );
                }
            }
            diagnostics.extend(found);
        }
        Command::List => list(&project, source_date_epoch),
        Command::Fmt { write } => {
            for file in format_sources(&project, *write)? {
                for (location, before, after) in &file.changes {
                    out!("{location}: `{before}` → `{after}`");
                }
                let verb = if *write { "changed" } else { "would change" };
                err!(
                    "{}: {verb} {} place(s)",
                    file.path.display(),
                    file.changes.len()
                );
            }
        }
        Command::Check => {
            let options = BuildOptions {
                dry_run: true,
                source_date_epoch,
                ..BuildOptions::default()
            };
            let (_, found) = build(&project, &options)?;
            diagnostics.extend(found);
        }
    }
    diagnostics.into_result()
}

/// `SOURCE_DATE_EPOCH`: unset or empty means none; anything but a whole
/// number of seconds from 1970 to 9999 is an error, not a silent fallback.
fn source_date_epoch() -> Result<Option<i64>, Error> {
    let Some(value) = std::env::var_os("SOURCE_DATE_EPOCH") else {
        return Ok(None);
    };
    let text = value.to_string_lossy();
    if text.trim().is_empty() {
        return Ok(None);
    }
    match text.trim().parse::<i64>() {
        Ok(seconds) if (0..=253_402_300_799).contains(&seconds) => Ok(Some(seconds)),
        _ => Err(Error::Invalid(
            [Diagnostic::error(
                None,
                format!("SOURCE_DATE_EPOCH is `{text}`, not a number of seconds since 1970-01-01"),
            )
            .hint("set it to a whole number of seconds, e.g. SOURCE_DATE_EPOCH=1735689600 for 2025-01-01, or unset it")]
            .into_iter()
            .collect(),
        )),
    }
}

fn list(project: &Project, source_date_epoch: Option<i64>) {
    let (volumes, _) = resolve_volumes(&project.config, &project.library);
    let options = BuildOptions {
        source_date_epoch,
        ..BuildOptions::default()
    };
    for volume in &volumes {
        out!(
            "{}  {}",
            volume.id(),
            volume.config.title.get_ref().en.as_deref().unwrap_or("")
        );
        for edition in volume.editions() {
            let book = make_book(project, volume, edition, &options);
            let mut total = TextCount::default();
            out!("  {edition}: {}", book.title);
            for chapter in &book.chapters {
                let count = TextCount::of(chapter.article.body());
                total.add(count);
                let converted = if chapter.converted.is_some() {
                    " (converted)"
                } else {
                    ""
                };
                out!(
                    "    {:<32} {}{converted}  [{} words, {} Han]",
                    chapter.article.id,
                    chapter.title,
                    count.words,
                    count.han
                );
            }
            out!(
                "    total: {} chapters, {} words, {} Han characters",
                book.chapters.len(),
                total.words,
                total.han
            );
        }
    }
}
