//! [`USAGE`]: the text `scim --help` prints.

/// The usage text.
pub(crate) const USAGE: &str = "\
scim: users, groups, exports and directory sync against a SCIM provider

USAGE
    scim [GLOBAL FLAGS] COMMAND [ARGS]

SOURCE FLAGS (plan, verify)
    --owned-prefix P   accounts whose externalId starts with P are the source's:
                       only those are ever written to, creates aside (without
                       it: none, so no existing account is updated or deactivated)
    --managed A,B,...  the attributes the source manages
                       (default userName,displayName,name,title,emails,active)
    --delete           delete accounts the source dropped instead of deactivating
    --max-deactivations N, --max-deactivation-percent P
                       the rail (default 25 and 10%); --allow-mass-deactivation passes it
    --last-source-size N
                       refuse deactivations from a source under half that size
    --adopt-unowned-by KEY
                       take over an account the source does not own when a source
                       user meets it by KEY (userName, externalId, primaryEmail),
                       writing the owned externalId; without it that is an error

COMMANDS
    users list [--filter F] [--count N]      every user, all pages (--count: page size)
    users get ID
    users create --user-name U [--email E] [--given-name G] [--family-name F]
                 [--external-id X] [--title T] [--display-name D]
    users create --from-json FILE|-          a whole user as SCIM JSON
    users patch ID --set PATH=VALUE ... [--set-json PATH=JSON ...]
                                             in the profile's PATCH form; VALUE true,
                                             false and null are JSON, the rest strings
    users deactivate ID                      active=false by PATCH (never DELETE)
    groups list [--filter F] [--count N]
    groups get ID
    groups create --name N [--external-id X] [--member ID ...]
    groups add-members GROUP ID ...
    groups remove-members GROUP ID ...
    export [--format json|csv] [--out FILE]  users (and groups, in JSON); CSV is
                                             RFC 4180 with CRLF line ends; a cell
                                             starting with = + - @, tab or CR gets a
                                             ' in front, so a spreadsheet shows it
                                             instead of running it (OWASP CSV
                                             injection); --out files are 0600
    plan --from people.csv [--mapping M] [--out plan.json] [SOURCE FLAGS]
                                             what would change; writes nothing
    apply plan.json [--journal FILE] [--concurrency N]
                                             run a plan; journaled in plan.json.journal,
                                             so running it again resumes; a plan edited
                                             by hand (digest), or with a step on an
                                             account the source does not own or over
                                             the rails, is refused before any write;
                                             N is 1..=64
                                             (default 4); a refused apply leaves no
                                             journal
    verify --from people.csv [--mapping M] [SOURCE FLAGS]
                                             read back, list every difference (exit 3)
    demo                                     plan, apply and verify the sample data
                                             (embedded service; with a token: no writes)
    reset                                    delete the embedded service's state file
    help                                     this text

GLOBAL FLAGS
    --profile NAME     provider profile (default slack-v1): slack-v1, slack-v2, aws,
                       github-emu, atlassian, zoom, scim2
    --base-url URL     the service's base URL (default: the profile's own); without
                       a token, no Authorization header is sent
    --token-file PATH  read the token from PATH (trimmed); refused when group or
                       others may read it (chmod 600 PATH)
    --json             machine JSON on stdout, one document per command
    --quiet, -q        no notes or progress on stderr
    --state FILE       the embedded service's state file (default .scim-embedded.json)
    --rate-share X     pace to this share of the profile's rate limits, 0 < X <= 1
                       (default 0.9: room for the org's other apps; limits are per org)
    --help, -h         this text
    --version, -V      the version

TOKEN AND TARGET
    The token comes from --token-file, else SLACK_ORG_ADMIN_USER_TOKEN, else
    SCIM_TOKEN. It is never printed. With no token and no --base-url, scim runs
    against an embedded in-memory service playing the profile, seeded with sample
    data and kept in the state file between commands. A token alone goes to the
    profile's URL (Slack's for slack-v1/v2). --base-url without a token sends no
    Authorization header, for a service that needs none; if it answers 401, give a token.

OUTPUT
    Tables for people by default; --json prints one JSON document on stdout.
    Files written (plan --out, export --out, journals, the state file) are
    readable by their owner only (0600): they hold names and emails.
    Errors print `scim: error: ...` on stderr, and with --json also
    {\"error\": {\"kind\": ..., \"message\": ...}} on stdout.

EXIT STATUS
    0  success
    1  a runtime failure (network, API error, bad input file)
    2  a usage error (nothing was sent)
    3  drift found (verify) or some steps failed (apply)
    141  stdout was closed before everything was written (`scim ... | head`)
";
