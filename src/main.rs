//! The `quire` command: parse flags, call the library, print diagnostics.

mod cli;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};
use quire::build::{build, format_sources, load_project, make_book, BuildOptions, Project};
use quire::error::{Diagnostics, Error};
use quire::text::TextCount;
use quire::volume::resolve_volumes;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(warnings) => {
            print_diagnostics(&warnings);
            if cli.deny_warnings && !warnings.is_empty() {
                eprintln!("error: warnings are denied (--deny-warnings)");
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
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn print_diagnostics(diagnostics: &Diagnostics) {
    for d in diagnostics.iter() {
        eprintln!("{d}");
    }
}

fn run(cli: &Cli) -> Result<Diagnostics, Error> {
    let (project, mut diagnostics) = load_project(&cli.config)?;
    let source_date_epoch = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse().ok());
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
                    println!(
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
                    println!("{location}: `{before}` → `{after}`");
                }
                let verb = if *write { "changed" } else { "would change" };
                eprintln!(
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

fn list(project: &Project, source_date_epoch: Option<i64>) {
    let (volumes, _) = resolve_volumes(&project.config, &project.library);
    let options = BuildOptions {
        source_date_epoch,
        ..BuildOptions::default()
    };
    for volume in &volumes {
        println!(
            "{}  {}",
            volume.id(),
            volume.config.title.get_ref().en.as_deref().unwrap_or("")
        );
        for edition in volume.editions() {
            let book = make_book(project, volume, edition, &options);
            let mut total = TextCount::default();
            println!("  {edition}: {}", book.title);
            for chapter in &book.chapters {
                let count = TextCount::of(chapter.article.body());
                total.add(count);
                let converted = if chapter.converted.is_some() {
                    " (converted)"
                } else {
                    ""
                };
                println!(
                    "    {:<32} {}{converted}  [{} words, {} Han]",
                    chapter.article.id, chapter.title, count.words, count.han
                );
            }
            println!(
                "    total: {} chapters, {} words, {} Han characters",
                book.chapters.len(),
                total.words,
                total.han
            );
        }
    }
}
