//! The plan review page (`scim plan --html FILE`): one self-contained HTML
//! file for a person to read before `scim apply`. It shows what the plan
//! was made against (profile, target, digest, fingerprint), how many steps
//! of each kind, every step with its values (an update's attributes old →
//! new, a create's values, a deactivation's account and why), what is left
//! alone and why, and each rail with its margin.
//!
//! The page holds personal data, so it is written as the plan file is:
//! readable by its owner only ([`crate::fs::write_private`]). Every value
//! in it is escaped: markup comes only from `&'static str` literals in this
//! module ([`Page::markup`]), anything else goes through [`Page::text`].
//! Its Content-Security-Policy allows inline styles and nothing else, so no
//! script runs and nothing is fetched, even from a value that escaped the
//! escaping. The page needs no script; the same plan gives the same page,
//! byte for byte (a plan records no time, so the page shows none: the
//! fingerprint is what ties it to the provider's state).

use std::collections::HashMap;
use std::path::Path;

use scim_sync::{Adoption, Change, Current, MatchKey, Plan, Ref, Step};
use serde_json::Value;

use crate::error::CliError;
use crate::session::Session;

/// A plan, and what its page shows around it.
#[derive(Debug)]
pub(crate) struct Review<'a> {
    /// The plan.
    pub(crate) plan: &'a Plan,
    /// What it was planned against, without credentials.
    pub(crate) target: String,
    /// The provider's users when it was planned.
    pub(crate) accounts: usize,
    /// Those the plan's ownership rule owns: what the rail on deactivations
    /// is a share of.
    pub(crate) owned: usize,
    /// The users in the source.
    pub(crate) source_size: usize,
    /// The provider's users' `userName` and groups' `displayName`, by id:
    /// a plan names what exists by id only.
    pub(crate) names: HashMap<String, String>,
}

impl<'a> Review<'a> {
    /// The review of `plan`, planned in `session` from `current` (the
    /// provider's state); the owned accounts and the source's size are the
    /// plan's own record (both within its scope).
    pub(crate) fn new(session: &Session, plan: &'a Plan, current: &Current) -> Review<'a> {
        let target = if session.is_embedded() {
            "the embedded in-memory service".to_owned()
        } else {
            public_url(session.client().endpoint().base_url())
        };
        let users = current.users.iter().map(|u| (&u.id, &u.user_name));
        let groups = current.groups.iter().map(|g| (&g.id, &g.display_name));
        let names = users
            .chain(groups)
            .filter_map(|(id, name)| Some((id.as_deref()?.to_owned(), name.as_deref()?.to_owned())))
            .collect();
        Review {
            plan,
            target,
            accounts: current.users.len(),
            owned: plan.owned_accounts,
            source_size: plan.source_size,
            names,
        }
    }

    /// The provider's `id`, with the name it has there.
    fn named(&self, id: &str) -> String {
        match self.names.get(id) {
            Some(name) => format!("{name} (id {id})"),
            None => format!("id {id}"),
        }
    }

    /// A user or group a step refers to.
    fn reference(&self, reference: &Ref) -> String {
        match reference {
            Ref::Id(id) => self.named(id),
            Ref::Key(key) => format!("{key} (created by this plan)"),
        }
    }

    /// Whom a step writes to: the source's key, and the provider's account.
    fn subject(&self, step: &Step) -> String {
        match step {
            Step::CreateUser { key, .. } | Step::CreateGroup { key, .. } => key.clone(),
            Step::UpdateUser { key, id, .. } => format!("{key}: {}", self.reference(id)),
            Step::AdoptUser { key, id, .. } | Step::UpdateGroup { key, id, .. } => {
                format!("{key}: {}", self.named(id))
            }
            Step::DeactivateUser { id, .. } | Step::DeleteUser { id, .. } => self.named(id),
            Step::ChangeMembers { group, .. } => self.reference(group),
        }
    }

    /// Writes the page to `path`, readable by its owner only.
    pub(crate) fn write(&self, path: &Path) -> Result<(), CliError> {
        crate::fs::write_private(path, self.render().as_bytes()).map_err(|e| {
            CliError::failure("output", format!("cannot write {}: {e}", path.display()))
        })
    }

    /// The page.
    pub(crate) fn render(&self) -> String {
        let mut page = Page::default();
        head(&mut page, self.plan);
        header(&mut page, self);
        counts(&mut page, self.plan);
        rails(&mut page, self);
        steps(&mut page, self);
        left_alone(&mut page, self);
        page.markup("</main></body></html>\n");
        page.0
    }
}

/// HTML being written: markup only from literals, text always escaped.
#[derive(Default)]
struct Page(String);

impl Page {
    /// Markup: only ever a literal of this module.
    fn markup(&mut self, markup: &'static str) {
        self.0.push_str(markup);
    }

    /// Text, escaped for an element's content or a quoted attribute.
    fn text(&mut self, text: &str) {
        for c in text.chars() {
            match c {
                '&' => self.0.push_str("&amp;"),
                '<' => self.0.push_str("&lt;"),
                '>' => self.0.push_str("&gt;"),
                '"' => self.0.push_str("&quot;"),
                '\'' => self.0.push_str("&#39;"),
                c => self.0.push(c),
            }
        }
    }

    /// `open`, the escaped `text`, `close`.
    fn element(&mut self, open: &'static str, text: &str, close: &'static str) {
        self.markup(open);
        self.text(text);
        self.markup(close);
    }

    /// A table's head row.
    fn head_row(&mut self, cells: &[&'static str]) {
        self.markup("<tr>");
        for cell in cells {
            self.element("<th>", cell, "</th>");
        }
        self.markup("</tr>\n");
    }

    /// A table row of escaped cells, each with its class (`""` for none).
    fn row(&mut self, cells: &[(&'static str, &str)]) {
        self.markup("<tr>");
        for (class, cell) in cells {
            if class.is_empty() {
                self.markup("<td>");
            } else {
                self.markup("<td class=\"");
                self.markup(class);
                self.markup("\">");
            }
            self.element("", cell, "</td>");
        }
        self.markup("</tr>\n");
    }
}

/// The page's one stylesheet.
const STYLE: &str = "
body { font: 15px/1.45 system-ui, sans-serif; color: #1b1f24; background: #f6f7f9; margin: 0; }
main { max-width: 1100px; margin: 0 auto; padding: 24px; }
h1 { margin: 0 0 12px; font-size: 26px; }
h2 { margin: 28px 0 10px; font-size: 19px; border-bottom: 1px solid #d0d5dc; padding-bottom: 4px; }
h3 { margin: 0 0 6px; font-size: 15px; }
header, .step, table { background: #fff; }
header { padding: 16px 20px; border: 1px solid #d0d5dc; border-radius: 6px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
dt { color: #57606a; } dd { margin: 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #d0d5dc; padding: 4px 8px; text-align: left; vertical-align: top;
  overflow-wrap: anywhere; }
th { background: #eef1f4; font-weight: 600; overflow-wrap: normal; }
.step td:first-child, .step th:first-child { width: 12em; }
ul.counts { list-style: none; padding: 0; margin: 0; display: flex; flex-wrap: wrap; gap: 8px; }
ul.counts li { background: #fff; border: 1px solid #d0d5dc; border-radius: 6px; padding: 6px 12px;
  min-width: 88px; }
ul.counts b { display: block; font-size: 22px; font-variant-numeric: tabular-nums; }
ul.counts li.zero { color: #8c959f; }
td.path, code { font-family: ui-monospace, monospace; font-size: 13px; }
td.before { background: #fff0f0; } td.after { background: #eefbf0; }
td.within { color: #116329; } td.over { color: #9a6700; font-weight: 600; }
td.off { color: #57606a; }
ol.steps { list-style: none; padding: 0; margin: 0; }
.step { border: 1px solid #d0d5dc; border-left: 6px solid #8c959f; border-radius: 4px;
  padding: 10px 12px; margin: 0 0 10px; }
.step.create { border-left-color: #2da44e; } .step.update { border-left-color: #0969da; }
.step.adopt { border-left-color: #8250df; } .step.deactivate { border-left-color: #bf8700; }
.step.delete { border-left-color: #cf222e; } .step.members { border-left-color: #1b7c83; }
p.note { color: #57606a; margin: 10px 0 0; }
";

/// The document's head, and the start of its body.
fn head(page: &mut Page, plan: &Plan) {
    page.markup("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n");
    page.markup(
        "<meta http-equiv=\"Content-Security-Policy\" \
         content=\"default-src 'none'; style-src 'unsafe-inline'\">\n",
    );
    page.markup("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    page.element("<title>Plan review: ", &plan.profile, "</title>\n");
    page.markup("<style>");
    page.markup(STYLE);
    page.markup("</style></head>\n<body><main>\n");
}

/// What the plan was made against, and under which rules.
fn header(page: &mut Page, review: &Review<'_>) {
    let (plan, options) = (review.plan, &review.plan.options);
    let adopt = match options.adopt {
        Adoption::Never => "never".to_owned(),
        Adoption::UnownedBy(key) => format!("unowned accounts met by {}", key_name(key)),
    };
    let facts = [
        ("Provider profile", plan.profile.clone()),
        ("Planned against", review.target.clone()),
        ("Plan digest", plan.digest.clone()),
        ("State fingerprint", plan.fingerprint.clone()),
        (
            "Source",
            format!(
                "{} users, matched by {}",
                review.source_size,
                key_name(options.match_key)
            ),
        ),
        (
            "Owned accounts",
            format!(
                "{} of the provider's {} users: those with {}",
                review.owned,
                review.accounts,
                options.ownership.describe()
            ),
        ),
        ("Adopted", adopt),
        ("Managed attributes", options.managed.join(", ")),
    ];
    page.markup("<header><h1>Plan review</h1>\n<dl>\n");
    for (term, detail) in facts {
        page.element("<dt>", term, "</dt>");
        page.element("<dd>", &detail, "</dd>\n");
    }
    page.markup(
        "</dl>\n<p class=\"note\">A plan records no time: its fingerprint ties it to the \
         provider's state it was made from. <code>scim apply</code> refuses it once that \
         state changed or its content no longer matches its digest, and checks ownership \
         and the rails again before any write.</p></header>\n",
    );
}

/// A match key as a mapping's `matchKey` spells it.
fn key_name(key: MatchKey) -> &'static str {
    match key {
        MatchKey::ExternalId => "externalId",
        MatchKey::UserName => "userName",
        MatchKey::PrimaryEmail => "primaryEmail",
    }
}

/// The kinds of step: the class of their box, and what they do.
const KINDS: [(&str, &str); 8] = [
    ("create", "create user"),
    ("update", "update user"),
    ("adopt", "adopt user"),
    ("deactivate", "deactivate user"),
    ("delete", "delete user"),
    ("create", "create group"),
    ("update", "update group"),
    ("members", "change members"),
];

/// `step`'s index in [`KINDS`].
fn kind(step: &Step) -> usize {
    match step {
        Step::CreateUser { .. } => 0,
        Step::UpdateUser { .. } => 1,
        Step::AdoptUser { .. } => 2,
        Step::DeactivateUser { .. } => 3,
        Step::DeleteUser { .. } => 4,
        Step::CreateGroup { .. } => 5,
        Step::UpdateGroup { .. } => 6,
        Step::ChangeMembers { .. } => 7,
    }
}

/// How many steps of each kind, and how many accounts are left alone.
fn counts(page: &mut Page, plan: &Plan) {
    let mut counts = [0usize; KINDS.len()];
    for step in &plan.steps {
        counts[kind(step)] += 1;
    }
    page.markup("<h2>Counts</h2>\n<ul class=\"counts\">\n");
    let totals = [
        ("all writes", plan.writes()),
        ("left alone", plan.left_alone.len()),
    ];
    for (label, count) in KINDS
        .iter()
        .map(|(_, label)| *label)
        .zip(counts)
        .chain(totals)
    {
        page.markup(if count == 0 {
            "<li class=\"zero\">"
        } else {
            "<li>"
        });
        page.element("<b>", &count.to_string(), "</b> ");
        page.element("<span>", label, "</span></li>\n");
    }
    page.markup("</ul>\n");
}

/// One rail: what it measures, the measure, its limit, and the margin.
struct Rail {
    name: String,
    measured: String,
    limit: String,
    margin: String,
    /// The margin cell's class: `within`, `over` (allowed) or `off`.
    state: &'static str,
}

/// The rails and their margins.
fn rails(page: &mut Page, review: &Review<'_>) {
    page.markup("<h2>Rails</h2>\n");
    let options = &review.plan.options;
    if !options.deactivate_missing {
        page.markup(
            "<p>Deactivation is off: accounts the source no longer lists are left \
             alone.</p>\n",
        );
        return;
    }
    page.markup("<table class=\"rails\">\n");
    page.head_row(&["Rail", "Planned", "Limit", "Margin"]);
    for rail in [share_rail(review), count_rail(review), source_rail(review)] {
        page.row(&[
            ("", &rail.name),
            ("", &rail.measured),
            ("", &rail.limit),
            (rail.state, &rail.margin),
        ]);
    }
    page.markup("</table>\n");
}

/// The deactivations (or deletions) the plan holds, and what they are called.
fn removals(plan: &Plan) -> (usize, &'static str) {
    let count = plan
        .steps
        .iter()
        .filter(|s| matches!(s, Step::DeactivateUser { .. } | Step::DeleteUser { .. }))
        .count();
    let name = if plan.options.delete_instead {
        "Deletions"
    } else {
        "Deactivations"
    };
    (count, name)
}

/// The rail on the share of owned accounts removed, as the planner
/// measures it (removals × 100 / owned accounts).
fn share_rail(review: &Review<'_>) -> Rail {
    let options = &review.plan.options;
    let (planned, name) = removals(review.plan);
    let share = planned as f64 * 100.0 / review.owned.max(1) as f64;
    let limit = options.limit.max_percent;
    let (margin, state) = if share > limit {
        (
            "over, allowed by --allow-mass-deactivation".to_owned(),
            "over",
        )
    } else {
        (
            format!("{} points to spare", percent(limit - share)),
            "within",
        )
    };
    Rail {
        name: format!("{name}, share of the owned accounts"),
        measured: format!(
            "{planned} of {} owned accounts = {} %",
            review.owned,
            percent(share)
        ),
        limit: limit_text(format!("limit {} %", percent(limit)), options),
        margin,
        state,
    }
}

/// The rail on the number of accounts removed.
fn count_rail(review: &Review<'_>) -> Rail {
    let options = &review.plan.options;
    let (planned, name) = removals(review.plan);
    let limit = options.limit.max_count;
    let (margin, state) = match limit.checked_sub(planned) {
        Some(spare) => (format!("{spare} to spare"), "within"),
        None => (
            "over, allowed by --allow-mass-deactivation".to_owned(),
            "over",
        ),
    };
    Rail {
        name: format!("{name}, count"),
        measured: planned.to_string(),
        limit: limit_text(format!("limit {limit}"), options),
        margin,
        state,
    }
}

/// A limit, or that mass deactivation lifts it.
fn limit_text(limit: String, options: &scim_sync::PlanOptions) -> String {
    if options.allow_mass_deactivation {
        format!("{limit}, lifted by --allow-mass-deactivation")
    } else {
        limit
    }
}

/// The rail on a source much smaller than the last one (and an empty
/// one): it refuses removals, so it only bites when there are some.
fn source_rail(review: &Review<'_>) -> Rail {
    let options = &review.plan.options;
    let size = review.source_size;
    let name = "Source size, against the last source".to_owned();
    let Some(last) = options.last_source_size else {
        return Rail {
            name,
            measured: format!("{size} users"),
            limit: "not checked: no last source size (--last-source-size)".to_owned(),
            margin: "—".to_owned(),
            state: "off",
        };
    };
    let share = size as f64 * 100.0 / last.max(1) as f64;
    let minimum = options.shrink_percent;
    let (margin, state) = if share < minimum {
        (
            "under, allowed by --allow-mass-deactivation".to_owned(),
            "over",
        )
    } else {
        (
            format!("{} points to spare", percent(share - minimum)),
            "within",
        )
    };
    Rail {
        name,
        measured: format!("{size} of last {last} users = {} %", percent(share)),
        limit: limit_text(format!("at least {} %", percent(minimum)), options),
        margin,
        state,
    }
}

/// A percentage with one decimal at most: `1.5`, `16.7`, `10`.
fn percent(value: f64) -> String {
    let text = format!("{value:.1}");
    text.strip_suffix(".0").unwrap_or(&text).to_owned()
}

/// Every step, in the order apply runs them, numbered as `scim plan` and
/// `scim apply` number them.
fn steps(page: &mut Page, review: &Review<'_>) {
    let plan = review.plan;
    page.markup("<h2>Steps</h2>\n");
    if plan.steps.is_empty() {
        page.markup("<p>Nothing to do: the provider matches the source.</p>\n");
        return;
    }
    page.markup("<ol class=\"steps\">\n");
    for (index, step) in plan.steps.iter().enumerate() {
        let (class, label) = KINDS[kind(step)];
        page.markup("<li class=\"step ");
        page.markup(class);
        page.element("\"><h3>", &format!("step {index}: {label} "), "");
        page.element("<code>", &review.subject(step), "</code></h3>\n");
        body(page, step, review);
        page.markup("</li>\n");
    }
    page.markup("</ol>\n");
}

/// A step's values: before and after.
fn body(page: &mut Page, step: &Step, review: &Review<'_>) {
    let plan = review.plan;
    match step {
        Step::CreateUser { user: body, .. } | Step::CreateGroup { group: body, .. } => {
            values(page, body);
        }
        Step::UpdateUser { changes, .. }
        | Step::AdoptUser { changes, .. }
        | Step::UpdateGroup { changes, .. } => changes_table(page, changes),
        Step::DeactivateUser { user_name, .. } => removal(
            page,
            (plan, user_name),
            "active → false: the account stays, and can be reactivated",
        ),
        Step::DeleteUser { user_name, .. } => removal(
            page,
            (plan, user_name),
            "deleted (--delete): the account and what it holds are gone",
        ),
        Step::ChangeMembers { add, remove, .. } => {
            let joins: Vec<String> = add.iter().map(|r| review.reference(r)).collect();
            let leaves: Vec<String> = remove.iter().map(|id| review.named(id)).collect();
            page.markup("<table>\n");
            page.row(&[("", "joins"), ("after", &list(&joins))]);
            page.row(&[("", "leaves"), ("before", &list(&leaves))]);
            page.markup("</table>\n");
        }
    }
}

/// A list of names, or `—` for none.
fn list(names: &[String]) -> String {
    if names.is_empty() {
        "—".to_owned()
    } else {
        names.join(", ")
    }
}

/// A create's values, by attribute path.
fn values(page: &mut Page, body: &Value) {
    let mut rows = Vec::new();
    flatten("", body, &mut rows);
    page.markup("<table>\n");
    page.head_row(&["Attribute", "Value"]);
    for (path, value) in rows {
        page.row(&[("path", &path), ("after", &show(value))]);
    }
    page.markup("</table>\n");
}

/// `value`'s leaves by dotted path (`name.givenName`); arrays stay whole.
fn flatten<'v>(prefix: &str, value: &'v Value, rows: &mut Vec<(String, &'v Value)>) {
    match value {
        Value::Object(fields) => {
            for (name, field) in fields {
                let path = if prefix.is_empty() {
                    name.clone()
                } else {
                    format!("{prefix}.{name}")
                };
                flatten(&path, field, rows);
            }
        }
        leaf => rows.push((prefix.to_owned(), leaf)),
    }
}

/// An update's changes: each attribute, old → new.
fn changes_table(page: &mut Page, changes: &[Change]) {
    page.markup("<table>\n");
    page.head_row(&["Attribute", "Before", "After"]);
    for change in changes {
        let before = change.from.as_ref().map_or("(none)".to_owned(), show);
        let after = change.value.as_ref().map_or("(cleared)".to_owned(), show);
        page.row(&[
            ("path", &change.path),
            ("before", &before),
            ("after", &after),
        ]);
    }
    page.markup("</table>\n");
}

/// Why a deactivation or deletion of `user_name` is planned, and what it
/// does.
fn removal(page: &mut Page, (plan, user_name): (&Plan, &str), change: &str) {
    let why = format!(
        "the source owns it ({}) and no longer lists it",
        plan.options.ownership.describe()
    );
    page.markup("<table>\n");
    page.row(&[("", "account"), ("path", user_name)]);
    page.row(&[("", "why"), ("", &why)]);
    page.row(&[("", "change"), ("before", change)]);
    page.markup("</table>\n");
}

/// A value as people read it: a string as it is, anything else as JSON.
fn show(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// What the plan leaves alone, and why.
fn left_alone(page: &mut Page, review: &Review<'_>) {
    let plan = review.plan;
    page.markup("<h2>Left alone</h2>\n");
    if plan.left_alone.is_empty() {
        page.markup("<p>Nothing is left alone.</p>\n");
        return;
    }
    page.markup("<table class=\"left-alone\">\n");
    page.head_row(&["Account or group", "Why"]);
    for item in &plan.left_alone {
        page.row(&[("", &review.named(&item.id)), ("", &item.reason)]);
    }
    page.markup("</table>\n");
}

/// `url` without what can hold a credential: user info, query, fragment.
fn public_url(url: &str) -> String {
    let url = url.split(['?', '#']).next().unwrap_or_default();
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    format!("{scheme}://{host}{path}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use scim_client::provider::PatchBody;
    use scim_sync::{LeftAlone, Ownership, PlanOptions};
    use serde_json::json;

    const HOSTILE: &str = "<script>alert(1)</script> \"&'";
    const ESCAPED: &str = "&lt;script&gt;alert(1)&lt;/script&gt; &quot;&amp;&#39;";

    fn hostile_plan() -> Plan {
        let change = Change {
            path: "title".into(),
            value: Some(json!(HOSTILE)),
            from: Some(json!("Analyst")),
        };
        let steps = vec![
            Step::CreateUser {
                key: HOSTILE.into(),
                user: json!({"userName": HOSTILE, "name": {"givenName": HOSTILE}}),
            },
            Step::UpdateUser {
                key: "E1".into(),
                id: Ref::Id(HOSTILE.into()),
                changes: vec![change],
                patch: Some(PatchBody::Partial(serde_json::Map::new())),
                manager: None,
            },
            Step::DeactivateUser {
                id: "U2".into(),
                user_name: HOSTILE.into(),
                patch: PatchBody::Partial(serde_json::Map::new()),
            },
            Step::ChangeMembers {
                group: Ref::Key(HOSTILE.into()),
                add: vec![Ref::Id(HOSTILE.into())],
                remove: vec![HOSTILE.into()],
            },
        ];
        Plan {
            digest: HOSTILE.into(),
            profile: HOSTILE.into(),
            fingerprint: HOSTILE.into(),
            steps,
            left_alone: vec![LeftAlone {
                id: HOSTILE.into(),
                reason: HOSTILE.into(),
            }],
            options: PlanOptions {
                ownership: Ownership::ExternalIdPrefix(HOSTILE.into()),
                managed: vec![HOSTILE.into()],
                ..PlanOptions::default()
            },
            source_size: 9,
            owned_accounts: 10,
        }
    }

    fn review(plan: &Plan) -> Review<'_> {
        Review {
            plan,
            target: HOSTILE.into(),
            accounts: 200,
            owned: 10,
            source_size: 9,
            names: HashMap::from([(HOSTILE.to_owned(), HOSTILE.to_owned())]),
        }
    }

    #[test]
    fn every_value_is_escaped_and_the_page_has_no_script() {
        let plan = hostile_plan();
        let html = review(&plan).render();
        assert!(!html.to_lowercase().contains("<script"), "{html}");
        // Title, header, create, update, deactivation, members, left alone.
        assert!(html.matches(ESCAPED).count() >= 12, "{html}");
        assert!(html.contains("default-src 'none'"), "the CSP is in place");
        assert!(!html.contains("http://") && !html.contains("https://"));
    }

    #[test]
    fn the_same_plan_gives_the_same_page() {
        let plan = hostile_plan();
        assert_eq!(review(&plan).render(), review(&plan).render());
    }

    #[test]
    fn the_rails_show_the_planners_measure_and_the_margin() {
        let mut plan = hostile_plan();
        let html = review(&plan).render();
        assert!(html.contains("1 of 10 owned accounts = 10 %"), "{html}");
        assert!(html.contains("limit 10 %"), "{html}");
        assert!(html.contains("24 to spare"), "{html}");
        assert!(html.contains("not checked: no last source size"), "{html}");
        plan.options.last_source_size = Some(12);
        plan.options.limit.max_percent = 5.0;
        plan.options.allow_mass_deactivation = true;
        let html = review(&plan).render();
        assert!(html.contains("9 of last 12 users = 75 %"), "{html}");
        assert!(html.contains("25 points to spare"), "{html}");
        assert!(html.contains("limit 5 %, lifted by --allow-mass-deactivation"));
        assert!(html.contains("class=\"over\">over, allowed"), "{html}");
    }

    #[test]
    fn percentages_keep_one_decimal_at_most() {
        assert_eq!(percent(1.5), "1.5");
        assert_eq!(percent(100.0 / 6.0), "16.7");
        assert_eq!(percent(10.0), "10");
        assert_eq!(percent(0.0), "0");
    }

    #[test]
    fn the_target_url_loses_user_info_query_and_fragment() {
        assert_eq!(
            public_url("https://user:secret@scim.example.com/v2/?token=x#frag"),
            "https://scim.example.com/v2/"
        );
        assert_eq!(
            public_url("https://api.slack.com/scim/v2/"),
            "https://api.slack.com/scim/v2/"
        );
        assert_eq!(public_url("no scheme?q=1"), "no scheme");
    }
}
