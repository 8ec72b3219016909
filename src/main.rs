//! The `quire` command: parse flags, call the library, print diagnostics.

mod cli;
mod progress;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use clap::Parser;

use cli::{BuildArgs, Cli, Command, ServeArgs};
use progress::Progress;
use quire::build::{
    build, build_reporting, check_selection, count_books, format_sources, load_project, make_book,
    BuildOptions, Project,
};
use quire::error::{Diagnostic, Diagnostics, Error};
use quire::text::{count, TextCount};
use quire::volume::resolve_volumes;
use quire::watch::{Kind, Rebuild, Session};

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
        Ok(found) => {
            print_diagnostics(&found);
            print_summary(found.counts());
            if cli.deny_warnings && found.has_warnings() {
                err!("error: warnings are denied (--deny-warnings)");
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(error) => {
            print_error(&error);
            let counts = match &error {
                Error::Invalid(found) => found.counts(),
                _ => (1, 0, 0),
            };
            print_summary(counts);
            ExitCode::FAILURE
        }
    }
}

/// The last line of every command: how many errors, warnings and notes.
fn print_summary((errors, warnings, notes): (usize, usize, usize)) {
    err!(
        "{}, {}, {}",
        count(errors, "error", "errors"),
        count(warnings, "warning", "warnings"),
        count(notes, "note", "notes")
    );
}

fn print_error(error: &Error) {
    match error {
        Error::Invalid(diagnostics) => print_diagnostics(diagnostics),
        error => {
            err!("error: {error}");
            if let Some(hint) = error.hint() {
                err!("  hint: {hint}");
            }
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
    if let Command::Init { dir } = &cli.command {
        for path in quire::init::init(dir)? {
            err!("wrote {}", path.display());
        }
        let here = dir == Path::new(".");
        let step = if here {
            String::new()
        } else {
            format!("cd {} && ", dir.display())
        };
        err!("a new library: now run `{step}quire build`");
        return Ok(Diagnostics::default());
    }
    let config = config_path(cli.config.as_deref())?;
    if let Command::Watch(args) = &cli.command {
        // Loads (and reloads) the project itself, and keeps going on errors.
        watch(&config, build_options(args, source_date_epoch), &|_| {})?;
        return Ok(Diagnostics::default());
    }
    if let Command::Serve(args) = &cli.command {
        serve(&config, args, source_date_epoch)?;
        return Ok(Diagnostics::default());
    }
    let (project, mut diagnostics) = load_project(&config)?;
    match &cli.command {
        Command::Build(args) => {
            let options = build_options(args, source_date_epoch);
            let progress = Progress::new(Some(count_books(&project, &options)));
            let (built, found) = build_reporting(&project, &options, &|b| progress.finished(b))?;
            progress.done(&built, found.has_errors());
            diagnostics.extend(found);
        }
        Command::Init { .. } | Command::Watch(_) | Command::Serve(_) => {
            unreachable!("handled above")
        }
        Command::List { volumes } => list(&project, volumes, source_date_epoch)?,
        Command::Fmt { write, check } => {
            let files = format_sources(&project, *write)?;
            for file in &files {
                for change in &file.changes {
                    let (left, right) = &change.context;
                    out!(
                        "{}: `{left}{}{right}` → `{left}{}{right}`",
                        change.location,
                        change.before,
                        change.after
                    );
                }
                let verb = if *write { "changed" } else { "would change" };
                let places = count(file.changes.len(), "place", "places");
                err!("{}: {verb} {places}", file.path.display());
            }
            if *check && !files.is_empty() {
                diagnostics.push(
                    Diagnostic::error(
                        None,
                        format!("{} would change", count(files.len(), "file", "files")),
                    )
                    .hint("`quire fmt --write` applies the changes"),
                );
            }
        }
        Command::Check { verbose } => {
            let options = BuildOptions {
                dry_run: true,
                verbose: *verbose,
                source_date_epoch,
                ..BuildOptions::default()
            };
            let (_, found) = build(&project, &options)?;
            diagnostics.extend(found);
        }
    }
    diagnostics.into_result()
}

/// The config to use: the one given, else `quire.toml` here, else
/// `books/quire.toml` (saying so, as it is not where one looks first).
fn config_path(given: Option<&Path>) -> Result<PathBuf, Error> {
    if let Some(path) = given {
        return Ok(path.to_path_buf());
    }
    let here = PathBuf::from("quire.toml");
    if here.is_file() {
        return Ok(here);
    }
    let books = PathBuf::from("books/quire.toml");
    if books.is_file() {
        err!("using books/quire.toml (there is no quire.toml here)");
        return Ok(books);
    }
    Err(Error::Invalid(
        [Diagnostic::error(
            None,
            "there is no quire.toml here, nor books/quire.toml",
        )
        .hint("run quire in the folder of your library, start one with `quire init`, or pass --config PATH")]
        .into_iter()
        .collect(),
    ))
}

/// `quire watch`: a first build, then a rebuild after each change, until stopped.
/// Errors in the project are printed and the watch goes on.
/// `quire serve`: binds, then builds and rebuilds as `quire watch` does,
/// telling the server after each build.
fn serve(config: &Path, args: &ServeArgs, source_date_epoch: Option<i64>) -> Result<(), Error> {
    let options = build_options(&args.build, source_date_epoch);
    let listener = quire::serve::bind(args.host, args.port).map_err(Error::Watch)?;
    let url = format!("http://{}/", listener.address);
    if !args.host.is_loopback() {
        err!(
            "warning: serving on {}: anyone who can reach this machine can read the books",
            args.host
        );
    }
    let live = std::sync::Arc::new(quire::serve::Live::default());
    quire::serve::serve(
        listener,
        std::sync::Arc::clone(&live),
        options.out_dir.clone(),
    );
    out!("serving {url} (Ctrl-C to stop)");
    if args.open {
        let opener = if cfg!(target_os = "macos") {
            "open"
        } else {
            "xdg-open"
        };
        if std::process::Command::new(opener)
            .arg(&url)
            .spawn()
            .is_err()
        {
            err!("could not open a browser: open {url}");
        }
    }
    watch(config, options, &|outcome| match outcome {
        Ok(rebuild) => live.publish(&rebuild.built, &rebuild.standing, None),
        Err(error) => {
            let found = match error {
                Error::Invalid(found) => found.clone(),
                _ => Diagnostics::default(),
            };
            live.publish(&[], &found, Some(error.to_string()))
        }
    })
}

fn watch(
    config: &Path,
    options: BuildOptions,
    after: &dyn Fn(Result<&Rebuild, &Error>),
) -> Result<(), Error> {
    use notify::{RecursiveMode, Watcher};

    let (sender, events) = std::sync::mpsc::channel();
    let mut watcher =
        notify::recommended_watcher(sender).map_err(|e| Error::Watch(e.to_string()))?;
    let mut session = Session::new(config, options);
    let mut watched = Vec::new();
    let mut changed = Vec::new();
    loop {
        let start = Instant::now();
        let progress = Progress::new(None);
        let outcome = session.rebuild(&changed, &|b| progress.finished(b));
        match &outcome {
            Ok(rebuild) => {
                progress.done(&rebuild.built, rebuild.diagnostics.has_errors());
                print_diagnostics(&rebuild.diagnostics);
                report_rebuild(rebuild, &changed, start.elapsed());
            }
            // Without a config there is nothing to watch.
            Err(_) if !config.is_file() => return outcome.map(|_| ()),
            Err(error) => {
                progress.done(&[], true);
                print_error(error);
                err!("the books were not rebuilt; fix the problem and save again");
            }
        }
        // Fonts and covers can move when the config changes.
        let now = session.watched();
        if now != watched {
            for (dir, _) in &watched {
                let _ = watcher.unwatch(dir);
            }
            for (dir, recursive) in &now {
                let mode = if *recursive {
                    RecursiveMode::Recursive
                } else {
                    RecursiveMode::NonRecursive
                };
                watcher
                    .watch(dir, mode)
                    .map_err(|e| Error::Watch(format!("{}: {e}", dir.display())))?;
            }
            watched = now;
            err!("watching for changes (Ctrl-C to stop)");
        }
        // Told once the folders are watched: a save after it is seen.
        after(outcome.as_ref());
        changed = next_changes(&events, &session)?;
    }
}

/// Waits for a change to the project, then gathers what follows within a
/// short pause: one save is often several events.
fn next_changes(
    events: &Receiver<notify::Result<notify::Event>>,
    session: &Session,
) -> Result<Vec<(PathBuf, Kind)>, Error> {
    let mut changed: Vec<(PathBuf, Kind)> = Vec::new();
    loop {
        let event = if changed.is_empty() {
            events.recv().map_err(|e| Error::Watch(e.to_string()))?
        } else {
            match events.recv_timeout(Duration::from_millis(50)) {
                Ok(event) => event,
                Err(_) => return Ok(changed),
            }
        };
        let Ok(event) = event else { continue };
        if matches!(event.kind, notify::EventKind::Access(_)) {
            continue;
        }
        for path in event.paths {
            if let Some(kind) = session.classify(&path) {
                if !changed.iter().any(|(p, _)| *p == path) {
                    changed.push((path, kind));
                }
            }
        }
    }
}

/// `built ai (en, bilingual): 4 books in 0.11 s after a change to books/articles/rlhf/en.md`
fn report_rebuild(rebuild: &Rebuild, changed: &[(PathBuf, Kind)], took: Duration) {
    let cause = match changed {
        [] => String::new(),
        [(one, _)] => format!(" after a change to {}", shown(one).display()),
        many => format!(" after changes to {} files", many.len()),
    };
    if rebuild.volumes.is_empty() {
        err!("no volume holds what changed{cause}: nothing to rebuild");
        return;
    }
    // After an article change, the editions that hold it; else whole volumes.
    let whole = rebuild.full;
    let volumes: Vec<String> = rebuild
        .volumes
        .iter()
        .map(|(id, editions)| {
            if whole {
                return id.clone();
            }
            let editions: Vec<String> = editions.iter().map(|e| e.to_string()).collect();
            format!("{id} ({})", editions.join(", "))
        })
        .collect();
    err!(
        "built {}: {} books in {:.2} s{cause}",
        volumes.join(if whole { ", " } else { "; " }),
        rebuild.built.len(),
        took.as_secs_f64()
    );
}

/// A path as the user would type it: relative to the current folder if inside it.
fn shown(path: &Path) -> &Path {
    std::env::current_dir()
        .ok()
        .and_then(|d| d.canonicalize().ok())
        .and_then(|d| path.strip_prefix(d).ok())
        .unwrap_or(path)
}

fn build_options(args: &BuildArgs, source_date_epoch: Option<i64>) -> BuildOptions {
    BuildOptions {
        out_dir: args.out.clone(),
        volumes: args.volumes.clone(),
        editions: args.editions.clone(),
        formats: args.formats.clone(),
        source_date_epoch,
        dry_run: false,
        verbose: false,
    }
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

fn list(project: &Project, only: &[String], source_date_epoch: Option<i64>) -> Result<(), Error> {
    let (volumes, _) = resolve_volumes(&project.config, &project.library);
    let options = BuildOptions {
        volumes: only.to_vec(),
        source_date_epoch,
        ..BuildOptions::default()
    };
    check_selection(&volumes, &options)?;
    let listed = volumes
        .iter()
        .filter(|v| only.is_empty() || only.iter().any(|id| id == v.id()));
    for volume in listed {
        out!(
            "{}  {}",
            volume.id(),
            volume.config.title.get_ref().en.as_deref().unwrap_or("")
        );
        for edition in volume.editions() {
            let book = make_book(project, volume, edition, &options);
            let mut total = TextCount::default();
            let also = if volume.is_vertical(edition) {
                " (also set vertically)"
            } else {
                ""
            };
            out!("  {edition}: {}{also}", book.title);
            for chapter in &book.chapters {
                // A bilingual chapter counts both its versions.
                let mut text = TextCount::of(chapter.article.body());
                if let Some(translation) = &chapter.translation {
                    text.add(TextCount::of(translation.article.body()));
                }
                total.add(text);
                let converted = if chapter.converted.is_some() {
                    " (converted)"
                } else {
                    ""
                };
                out!(
                    "    {:<32} {}{converted}  [{}, {} Han]",
                    chapter.article.id,
                    chapter.title,
                    count(text.words, "word", "words"),
                    text.han
                );
            }
            out!(
                "    total: {}, {}, {} Han characters",
                count(book.chapters.len(), "chapter", "chapters"),
                count(total.words, "word", "words"),
                total.han
            );
        }
    }
    Ok(())
}
