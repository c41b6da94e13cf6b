//! The stand-in's help texts, worded as the real CLI's (cobra's layout), for
//! the commands it covers.

pub(super) const ROOT_HELP: &str = "\
labrun's stand-in for the replicated CLI: the commands a lesson needs, against the same Vendor API.
For everything else install the real CLI from https://github.com/replicatedhq/replicated.

Usage:
  replicated [command]

Available Commands:
  release create   Create a new release from a Helm chart package (--chart)
  release promote  Set the release for a channel
  release ls       List all of an app's releases
  channel ls       List all channels in your app
  app ls           List apps
  version          Print the stand-in's version

Flags:
      --app string     The app slug or app id used in all calls (default uses $REPLICATED_APP env variable)
  -h, --help           help for replicated
      --token string   The API token used to access your app in the Vendor API (default uses $REPLICATED_API_TOKEN env variable)

Environment:
  REPLICATED_API_ORIGIN  the Vendor API (default https://api.replicated.com/vendor; a local sandbox is http://127.0.0.1:PORT)

Use \"replicated [command] --help\" for more information about a command.
";

pub(super) const RELEASE_HELP: &str = "\
Manage app releases.

Usage:
  replicated release [command]

Available Commands:
  create      Create a new release from a Helm chart package (--chart)
  ls          List all of an app's releases
  promote     Set the release for a channel
";

pub(super) const CREATE_HELP: &str = "\
Create a new release from a Helm chart package, and optionally promote it to a channel.

Usage:
  replicated release create --chart FILE [flags]

Examples:
  replicated release create --promote Unstable --chart ./release/slackernews-0.5.0.tgz --version 0.5.0 --release-notes \"…\"

Flags:
      --chart string           Helm chart package (.tgz) to create the release from
  -h, --help                   help for create
  -o, --output string          The output format to use. One of: json|table (default \"table\")
      --promote string         Channel name or id to promote this release to
      --release-notes string   When used with --promote <channel>, sets the **markdown** release notes
      --required               When used with --promote <channel>, marks this release as required during upgrades.
      --version string         When used with --promote <channel>, sets the version label for the release in this channel
";

pub(super) const PROMOTE_HELP: &str = "\
Set the release for a channel.

Usage:
  replicated release promote SEQUENCE CHANNEL_ID [flags]

Examples:
  replicated release promote 5 Beta --version 0.5.0 --release-notes \"…\"

Flags:
  -h, --help                   help for promote
  -o, --output string          The output format to use. One of: json|table (default \"table\")
      --release-notes string   The **markdown** release notes
      --required               When set, this release can't be skipped
      --version string         A version label for the release in this channel
";

pub(super) const RELEASE_LS_HELP: &str = "\
List all of an app's releases.

Usage:
  replicated release ls [flags]

Aliases:
  ls, list

Flags:
  -h, --help            help for ls
  -o, --output string   The output format to use. One of: json|table (default \"table\")
";

pub(super) const CHANNEL_HELP: &str = "\
List channels.

Usage:
  replicated channel [command]

Available Commands:
  ls          List all channels in your app
";

pub(super) const CHANNEL_LS_HELP: &str = "\
List all channels in your app.

Usage:
  replicated channel ls [flags]

Aliases:
  ls, list

Flags:
  -h, --help            help for ls
  -o, --output string   The output format to use. One of: json|table (default \"table\")
";

pub(super) const APP_HELP: &str = "\
List apps.

Usage:
  replicated app [command]

Available Commands:
  ls          List apps
";

pub(super) const APP_LS_HELP: &str = "\
List apps and their slugs.

Usage:
  replicated app ls [NAME] [flags]

Aliases:
  ls, list

Flags:
  -h, --help            help for ls
  -o, --output string   The output format to use. One of: json|table (default \"table\")
";
