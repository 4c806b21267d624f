//! The contract: every loaded document and the route table over them,
//! immutable once built (hot reload swaps a whole new one in).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::fixtures::{FixtureSource, FixtureStore};
use crate::generate::Plans;
use crate::route::RouteTable;
use crate::spec::{
    Document, LoadError, LoadErrors, Operation, SpecSource, expand_paths, read_document,
};

/// The four vendor documents shipped inside the binary: what `specmock serve`
/// with no argument serves.
pub const BUNDLED_SPECS: &[(&str, &str)] = &[
    (
        "adafruit-io.yaml",
        include_str!("../specs/adafruit-io.yaml"),
    ),
    ("axiom.yaml", include_str!("../specs/axiom.yaml")),
    (
        "softwareone.yaml",
        include_str!("../specs/softwareone.yaml"),
    ),
    ("unleash.yaml", include_str!("../specs/unleash.yaml")),
];

/// Everything loaded, compiled and immutable.
#[derive(Debug)]
pub struct Contract {
    documents: Vec<Document>,
    /// Each document's generation plans, in the same order.
    plans: Vec<Plans>,
    /// Each operation's field catalogue (by `Operation::index`), built on first use.
    catalogs: Vec<std::sync::OnceLock<crate::usage::Catalog>>,
    /// Each operation's callbacks (by `Operation::index`): (document, callback)
    /// places, found once so answering does not scan every document's.
    callbacks_of: Vec<Vec<(usize, usize)>>,
    routes: RouteTable,
    fixtures: FixtureStore,
    /// Stateful mode's CRUD operations and seeds, derived with the rest.
    resource_plan: crate::state::Plan,
    /// Bundled document name (`axiom`) -> the loaded document whose text is
    /// byte for byte that bundled one: it gets the bundled fixtures.
    twins: HashMap<String, String>,
    /// What never reaches the journal, the log or a fixture: the apiKey
    /// names of every operation, the usual credential headers, and the
    /// user's `--redact` keys.
    credentials: crate::redact::Credentials,
}

/// Which fixtures to serve.
#[derive(Debug, Clone, Default)]
pub struct FixturePaths {
    /// Folders of fixture files (`--fixtures DIR`, repeatable).
    pub dirs: Vec<PathBuf>,
    /// Leave out the bundled fixtures (`--no-fixtures`); they are only served
    /// with documents identical to the bundled ones anyway.
    pub no_bundled: bool,
}

/// Where the documents to load come from.
#[derive(Debug, Clone, Default)]
pub struct SpecPaths {
    /// Files or folders; empty means the bundled specs.
    pub paths: Vec<PathBuf>,
    /// `FILE=/prefix` mounts: documents served under a prefix of the user's choosing.
    pub mounts: Vec<(PathBuf, String)>,
    /// How forgiving loading is (`--strict-load`, `--max-ref-files`, `--ref-root`).
    pub options: crate::spec::LoadOptions,
}

impl Contract {
    /// The bundled vendor documents.
    pub fn bundled() -> Result<Contract, LoadErrors> {
        Contract::from_sources(
            BUNDLED_SPECS
                .iter()
                .map(|(name, text)| SpecSource::from_text(name, *text))
                .collect(),
        )
    }

    /// Load from files and folders (the bundled specs when none are given).
    pub fn load(spec: &SpecPaths) -> Result<Contract, LoadErrors> {
        if spec.paths.is_empty() {
            let mut sources: Vec<SpecSource> = BUNDLED_SPECS
                .iter()
                .map(|(name, text)| SpecSource::from_text(name, *text))
                .collect();
            apply_mounts(&mut sources, &spec.mounts)?;
            return Contract::from_sources(sources);
        }
        let files = expand_paths(&spec.paths)?;
        let mut sources = Vec::new();
        let mut errors = Vec::new();
        for f in files {
            match SpecSource::from_file(&f).and_then(|s| s.with_options(spec.options.clone())) {
                Ok(s) => sources.push(s),
                Err(e) => errors.push(e),
            }
        }
        if !errors.is_empty() {
            return Err(LoadErrors(errors));
        }
        apply_mounts(&mut sources, &spec.mounts)?;
        Contract::from_sources(sources)
    }

    /// Load documents and their fixtures: every folder given, then (unless
    /// `no_bundled`) the bundled fixtures of every document identical to a
    /// bundled one, each fixture once. Returns the contract and a warning per
    /// fixture skipped (one line for those of documents not loaded).
    pub fn load_with_fixtures(
        spec: &SpecPaths,
        fixtures: &FixturePaths,
    ) -> Result<(Contract, Vec<String>), LoadErrors> {
        let mut contract = Contract::load(spec)?;
        // The user's folders first: on a tie, the fixture listed first wins.
        let mut sources = Vec::new();
        for dir in &fixtures.dirs {
            match FixtureStore::dir_sources(dir) {
                Ok(s) => sources.extend(s),
                Err(e) => {
                    return Err(LoadError::new("--fixtures", e.to_string())
                        .hint(crate::fixtures::FOLDER_HINT)
                        .into());
                }
            }
        }
        if !fixtures.no_bundled {
            sources.extend(crate::fixtures::bundled_for(contract.loaded()));
        }
        let sources = crate::fixtures::dedupe(sources);
        let warnings = contract.load_fixtures(&sources);
        Ok((contract, warnings))
    }

    /// Load documents already read into memory.
    pub fn from_sources(sources: Vec<SpecSource>) -> Result<Contract, LoadErrors> {
        let mut errors = Vec::new();
        let mut unsealed = Vec::new();
        let mut names: HashMap<String, String> = HashMap::new();
        for src in &sources {
            if let Some(first) = names.get(&src.name) {
                errors.push(
                    LoadError::new(
                        &src.display,
                        format!(
                            "another document, {first}, has the same name \"{}\"",
                            src.name
                        ),
                    )
                    .hint("documents are named after their file stem; rename one file"),
                );
                continue;
            }
            names.insert(src.name.clone(), src.display.clone());
            match read_document(src) {
                Ok(d) => unsealed.push(d),
                Err(e) => errors.extend(e.0),
            }
        }
        if !errors.is_empty() {
            return Err(LoadErrors(errors));
        }
        // An operation is named by its bare id where that is unique across
        // documents: decided before the operations are shared.
        let mut counts: HashMap<String, usize> = HashMap::new();
        for id in unsealed.iter().flat_map(|d| d.operation_ids()) {
            *counts.entry(id.to_string()).or_default() += 1;
        }
        let mut first = 0;
        let mut documents: Vec<Document> = unsealed
            .into_iter()
            .map(|d| {
                let at = first;
                first += d.len();
                d.seal(|id| counts.get(id).is_some_and(|n| *n > 1), at)
            })
            .collect();
        // Generation plans, once per document; what they find ungeneratable
        // joins the document's warnings.
        let plans: Vec<Plans> = documents
            .iter_mut()
            .map(|d| {
                // Callbacks' and webhooks' bodies are generated like answers.
                let ops = d.operations.iter().map(|o| o.as_ref());
                let sent = d.callbacks.iter().map(|c| c.operation.as_ref());
                let plans = Plans::for_operations(&d.files, ops.chain(sent));
                let (warnings, notices) = crate::generate::load_findings(d, &plans);
                d.warnings.extend(warnings);
                d.notices.extend(notices);
                plans
            })
            .collect();
        let ops: Vec<Arc<Operation>> = documents
            .iter()
            .flat_map(|d| d.operations.iter().cloned())
            .collect();
        let catalogs = ops.iter().map(|_| Default::default()).collect();
        let callbacks_of = callbacks_by_operation(&documents, ops.len());
        let routes = RouteTable::build(ops, &names).map_err(LoadErrors)?;
        let mut twins = HashMap::new();
        for src in &sources {
            if let Some((file, _)) = BUNDLED_SPECS.iter().find(|(_, t)| *t == src.text) {
                twins
                    .entry(crate::spec::stem(file))
                    .or_insert_with(|| src.name.clone());
            }
        }
        let mut contract = Contract {
            documents,
            plans,
            catalogs,
            callbacks_of,
            routes,
            fixtures: FixtureStore::default(),
            resource_plan: crate::state::Plan::default(),
            twins,
            credentials: Default::default(),
        };
        contract.credentials = crate::redact::Credentials::of(
            contract
                .operations()
                .map(|o| o.as_ref())
                .chain(contract.callbacks().map(|c| c.operation.as_ref())),
        );
        contract.resource_plan = crate::state::Plan::build(&contract.documents, &contract.fixtures);
        Ok(contract)
    }

    /// Also redact these body keys (`--redact KEY`), before the contract is
    /// shared: it is swapped whole, its credentials with it.
    pub fn redacting(mut self, keys: &[String]) -> Contract {
        self.credentials = std::mem::take(&mut self.credentials).with_keys(keys);
        self
    }

    /// What must be redacted before anything is stored or logged.
    pub fn credentials(&self) -> &crate::redact::Credentials {
        &self.credentials
    }

    /// The loaded documents.
    pub fn documents(&self) -> &[Document] {
        &self.documents
    }

    /// The generation plans of a document (by name): what bodies are
    /// generated from.
    pub fn plans(&self, document: &str) -> Option<&Plans> {
        let i = self.documents.iter().position(|d| d.name == document)?;
        self.plans.get(i)
    }

    /// The fields an operation declares, as field usage counts them (built
    /// the first time it is asked for, once).
    pub fn catalog(&self, op: &Operation) -> &crate::usage::Catalog {
        static NONE: std::sync::OnceLock<crate::usage::Catalog> = std::sync::OnceLock::new();
        match self.catalogs.get(op.index) {
            Some(c) => c.get_or_init(|| crate::usage::Catalog::build(op, self.plans(&op.document))),
            None => NONE.get_or_init(Default::default),
        }
    }

    /// A document by name (file stem).
    pub fn document(&self, name: &str) -> Option<&Document> {
        self.documents.iter().find(|d| d.name == name)
    }

    /// The documents and routes, as fixtures are read against them.
    pub fn loaded(&self) -> crate::fixtures::Loaded<'_> {
        crate::fixtures::Loaded {
            documents: &self.documents,
            routes: &self.routes,
            twins: &self.twins,
        }
    }

    /// The loaded document identical to the bundled document `bundled`
    /// (`axiom`), if one is.
    pub fn bundled_twin(&self, bundled: &str) -> Option<&str> {
        self.twins.get(bundled).map(String::as_str)
    }

    /// Load fixtures for this contract (replacing any loaded before); returns
    /// a warning per fixture skipped.
    pub fn load_fixtures(&mut self, sources: &[FixtureSource]) -> Vec<String> {
        let (store, warnings) = FixtureStore::load(sources, self.loaded());
        self.fixtures = store;
        // Fixtures of item GETs seed stateful mode too.
        self.resource_plan = crate::state::Plan::build(&self.documents, &self.fixtures);
        warnings
    }

    /// Stateful mode's CRUD operations and seeded resources.
    pub fn resource_plan(&self) -> &crate::state::Plan {
        &self.resource_plan
    }

    /// The fixtures in force.
    pub fn fixtures(&self) -> &FixtureStore {
        &self.fixtures
    }

    /// The route table.
    pub fn routes(&self) -> &RouteTable {
        &self.routes
    }

    /// Every operation of every document, in load order.
    pub fn operations(&self) -> impl Iterator<Item = &Arc<Operation>> {
        self.documents.iter().flat_map(|d| d.operations.iter())
    }

    /// Every callback and webhook of every document, in load order: in the
    /// contract (coverage counts them) but not in the route table.
    pub fn callbacks(&self) -> impl Iterator<Item = &crate::spec::Callback> {
        self.documents.iter().flat_map(|d| d.callbacks.iter())
    }

    /// The callbacks an operation declares (not webhooks), in document order.
    pub fn callbacks_of(&self, op: &Operation) -> impl Iterator<Item = &crate::spec::Callback> {
        self.callbacks_of
            .get(op.index)
            .into_iter()
            .flatten()
            .filter_map(|(d, c)| self.documents.get(*d)?.callbacks.get(*c))
    }

    /// A callback's or webhook's operation by id (`createSubscription.onEvent`,
    /// `document/webhook.newPet`), for verification.
    pub fn callback_operation(&self, id: &str) -> Option<&Arc<Operation>> {
        self.callbacks()
            .map(|c| &c.operation)
            .find(|o| o.display_id == id || o.qualified() == id)
    }

    /// Find an operation by `operationId`, `document/operationId` or display id.
    pub fn operation(&self, id: &str) -> Option<&Arc<Operation>> {
        self.operations()
            .find(|o| o.display_id == id || o.qualified_id() == id)
            .or_else(|| self.operations().find(|o| o.operation_id == id))
    }

    /// Problems that do not stop serving, for every document.
    pub fn warnings(&self) -> impl Iterator<Item = &LoadError> {
        self.documents
            .iter()
            .flat_map(|d| d.warnings.iter().chain(&d.notices))
    }
}

/// For each operation (by `Operation::index`), where its callbacks are.
fn callbacks_by_operation(documents: &[Document], ops: usize) -> Vec<Vec<(usize, usize)>> {
    let mut out = vec![Vec::new(); ops];
    for (di, d) in documents.iter().enumerate() {
        let by_id: HashMap<&str, usize> = d
            .operations
            .iter()
            .map(|o| (o.operation_id(), o.index))
            .collect();
        for (ci, c) in d.callbacks.iter().enumerate() {
            if c.kind != crate::spec::CallbackKind::Callback {
                continue;
            }
            if let Some(i) = c.owner.as_deref().and_then(|id| by_id.get(id))
                && let Some(slot) = out.get_mut(*i)
            {
                slot.push((di, ci));
            }
        }
    }
    out
}

fn apply_mounts(
    sources: &mut [SpecSource],
    mounts: &[(PathBuf, String)],
) -> Result<(), LoadErrors> {
    let mut errors = Vec::new();
    for (file, prefix) in mounts {
        let wanted = file.to_string_lossy();
        let stem = crate::spec::stem(&wanted);
        let canonical = file.canonicalize().ok();
        let found = sources.iter_mut().find(|s| {
            s.display == wanted
                || (canonical.is_some()
                    && s.dir.as_ref().map(|d| d.join(&s.file_name)) == canonical)
                || s.name == stem && s.dir.is_none()
                || s.name == wanted
        });
        match found {
            Some(s) => s.mount = Some(prefix.clone()),
            None => errors.push(
                LoadError::new(
                    wanted.into_owned(),
                    "--mount names a document that is not loaded",
                )
                .hint("use the spec's path as given, or its name (file stem)"),
            ),
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(LoadErrors(errors))
    }
}
