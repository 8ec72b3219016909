//! `quire watch`: after a change, reload what changed and rebuild only the
//! editions it affects. The file events come from the caller; this module
//! decides what they mean.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::book::{load_articles, Edition, Library};
use crate::build::{build_books, load_project, BuildOptions, Built, Project};
use crate::error::{Diagnostics, Result};
use crate::volume::{plan_edition, resolve_volumes};

/// What a changed path is to the project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// An article's Markdown file, or a folder of them: reload the library,
    /// rebuild the editions that hold them.
    Article,
    /// The config, a font, a cover or an image: reload everything.
    Project,
}

/// A project kept loaded between rebuilds.
pub struct Session {
    config_path: PathBuf,
    options: BuildOptions,
    /// `None` while the project does not load.
    project: Option<Project>,
    /// Canonical forms, to compare with the paths of file events.
    config_file: PathBuf,
    articles_dir: Option<PathBuf>,
    out_dir: PathBuf,
    /// What the last build of each book found, by the book's name.
    found: BTreeMap<String, Diagnostics>,
}

/// The outcome of one rebuild.
pub struct Rebuild {
    /// The volumes rebuilt, each with the editions rebuilt; empty when the
    /// change touched no volume.
    pub volumes: Vec<(String, Vec<Edition>)>,
    /// Whether the whole project was reloaded and rebuilt, rather than the
    /// editions that hold changed articles.
    pub full: bool,
    pub built: Vec<Built>,
    /// What this rebuild found.
    pub diagnostics: Diagnostics,
    /// What stands against the project now: what loading it found, and
    /// what the last build of each book found, rebuilt or not.
    pub standing: Diagnostics,
}

impl Session {
    /// A session for `config_path`, not loaded yet: the first [`Session::rebuild`] loads it.
    pub fn new(config_path: &Path, options: BuildOptions) -> Session {
        Session {
            config_path: config_path.to_path_buf(),
            config_file: canonical(config_path),
            out_dir: canonical(&options.out_dir),
            options,
            project: None,
            articles_dir: None,
            found: BTreeMap::new(),
        }
    }

    /// The folders to watch: the config's, the articles (recursively), and
    /// those of the fonts and covers. Each with whether to recurse.
    pub fn watched(&self) -> Vec<(PathBuf, bool)> {
        let mut dirs: BTreeSet<(PathBuf, bool)> = BTreeSet::new();
        let parent = |p: &Path| canonical(p.parent().unwrap_or(Path::new(".")));
        dirs.insert((parent(&self.config_file), false));
        if let Some(articles) = &self.articles_dir {
            dirs.insert((articles.clone(), true));
        }
        if let Some(project) = &self.project {
            for path in project.fonts.files().filter_map(|f| f.path.as_ref()) {
                dirs.insert((parent(path), false));
            }
            for volume in &project.config.config.volumes {
                if let Some(cover) = &volume.cover {
                    dirs.insert((parent(&project.config.dir().join(cover.get_ref())), false));
                }
            }
        }
        dirs.into_iter().collect()
    }

    /// What a changed path means, or `None` if it is not the project's:
    /// the books written, temporary and hidden files, other files in the folders.
    pub fn classify(&self, path: &Path) -> Option<Kind> {
        let name = path.file_name()?.to_string_lossy();
        if name.starts_with('.') || name.ends_with('~') || path.starts_with(&self.out_dir) {
            return None;
        }
        if path == self.config_file {
            return Some(Kind::Project);
        }
        if let Some(articles) = &self.articles_dir {
            if path.starts_with(articles) {
                // A folder (moved in, or deleted) stands for the articles in it.
                let folder = path.is_dir() || (!path.exists() && path.extension().is_none());
                return Some(match path.extension() {
                    Some(e) if e == "md" => Kind::Article,
                    _ if folder => Kind::Article,
                    _ => Kind::Project,
                });
            }
        }
        let project = self.project.as_ref()?;
        let is_font =
            (project.fonts.files()).any(|f| f.path.as_ref().is_some_and(|p| canonical(p) == path));
        let is_cover = project.config.config.volumes.iter().any(|v| {
            v.cover
                .as_ref()
                .is_some_and(|c| canonical(&project.config.dir().join(c.get_ref())) == path)
        });
        (is_font || is_cover).then_some(Kind::Project)
    }

    /// Reloads what `changed` needs and builds the volumes it affects; with
    /// nothing loaded yet, or a project file among them, everything.
    /// On an error the last good project is kept for the next change.
    pub fn rebuild(
        &mut self,
        changed: &[(PathBuf, Kind)],
        report: &(dyn Fn(&Built) + Sync),
    ) -> Result<Rebuild> {
        let articles_only = changed.iter().all(|(_, kind)| *kind == Kind::Article);
        let full = !(articles_only && !changed.is_empty() && self.project.is_some());
        let (volumes, mut diagnostics) = match self.project.as_mut() {
            Some(project) if !full => {
                let (library, found) = load_articles(&project.config.articles_dir())?;
                let found = found.into_result()?;
                let files: Vec<PathBuf> = changed
                    .iter()
                    .filter_map(|(path, _)| {
                        let relative = path.strip_prefix(self.articles_dir.as_ref()?).ok()?;
                        Some(project.config.articles_dir().join(relative))
                    })
                    .collect();
                let volumes = affected(project, &project.library, &library, &files);
                let (_, problems) = resolve_volumes(&project.config, &library);
                problems.into_result()?;
                project.library = library;
                (volumes, found)
            }
            _ => {
                let (project, found) = load_project(&self.config_path)?;
                self.articles_dir = Some(canonical(&project.config.articles_dir()));
                let (volumes, _) = resolve_volumes(&project.config, &project.library);
                let volumes = volumes
                    .iter()
                    .map(|v| (v.id().to_string(), v.editions().collect()))
                    .collect();
                self.project = Some(project);
                (volumes, found)
            }
        };
        // Within what the command line selected.
        let selected = &self.options;
        let volumes: Vec<(String, Vec<Edition>)> = volumes
            .into_iter()
            .filter(|(id, _)| selected.volumes.is_empty() || selected.volumes.contains(id))
            .map(|(id, editions)| {
                let editions = editions
                    .into_iter()
                    .filter(|e| selected.editions.is_empty() || selected.editions.contains(e))
                    .collect();
                (id, editions)
            })
            .filter(|(_, editions): &(String, Vec<Edition>)| !editions.is_empty())
            .collect();
        let project = self.project.as_ref().expect("loaded above");
        // Everything in one build, or each volume's editions in turn.
        let builds: Vec<BuildOptions> = if full {
            vec![BuildOptions {
                volumes: volumes.iter().map(|(id, _)| id.clone()).collect(),
                ..self.options.clone()
            }]
        } else {
            volumes
                .iter()
                .map(|(id, editions)| BuildOptions {
                    volumes: vec![id.clone()],
                    editions: editions.clone(),
                    ..self.options.clone()
                })
                .collect()
        };
        let mut built = Vec::new();
        let mut found_now = BTreeMap::new();
        for options in builds.iter().filter(|o| !o.volumes.is_empty()) {
            let (books, by_book) = build_books(project, options, report)?;
            built.extend(books);
            found_now.extend(by_book);
        }
        // A full build replaces what every book found; only once it is done.
        if full {
            self.found.clear();
        }
        let mut standing = diagnostics.clone();
        for (book, found) in found_now {
            diagnostics.extend(found.clone());
            self.found.insert(book, found);
        }
        for found in self.found.values() {
            standing.extend(found.clone());
        }
        // It exists now: compare the paths of events with its real name.
        self.out_dir = canonical(&self.options.out_dir);
        Ok(Rebuild {
            volumes,
            full,
            built,
            diagnostics: diagnostics.sorted(),
            standing: standing.sorted(),
        })
    }
}

/// The editions, by volume, whose chapters include any of `files` (or are
/// in any of them, for folders), before or after the change; in config order.
fn affected(
    project: &Project,
    before: &Library,
    after: &Library,
    files: &[PathBuf],
) -> Vec<(String, Vec<Edition>)> {
    let mut found: BTreeSet<(String, Edition)> = BTreeSet::new();
    for library in [before, after] {
        let (volumes, _) = resolve_volumes(&project.config, library);
        for volume in &volumes {
            for edition in volume.editions() {
                let plan = plan_edition(library, volume, edition);
                let holds = plan.chapters.iter().any(|c| {
                    std::iter::once(c.version)
                        .chain(c.translation)
                        .any(|(article, _)| files.iter().any(|f| article.path.starts_with(f)))
                });
                if holds {
                    found.insert((volume.id().to_string(), edition));
                }
            }
        }
    }
    project
        .config
        .config
        .volumes
        .iter()
        .map(|v| {
            let id = v.id.get_ref();
            let editions = v
                .editions
                .get_ref()
                .iter()
                .map(|e| *e.get_ref())
                .filter(|e| found.contains(&(id.clone(), *e)))
                .collect();
            (id.clone(), editions)
        })
        .filter(|(_, editions): &(String, Vec<Edition>)| !editions.is_empty())
        .collect()
}

/// `path` made absolute and free of links, as file events name it; as given
/// if it does not exist (yet).
fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    })
}
