"""Uses a client generated from gitdash's /openapi.json, unchanged, against a running gitdash.

    python exercise.py <generated project dir> <API base URL> <access token> <repository id>

Every call must return the documented model (not None, not an error body); the script
exits non-zero with the reason otherwise.
"""

import sys

sys.path.insert(0, sys.argv[1])

from gitdash_client import AuthenticatedClient  # noqa: E402
from gitdash_client.api.activity import get_activity, get_committers, get_repositories_id_stats  # noqa: E402
from gitdash_client.api.commits import get_repositories_id_commits  # noqa: E402
from gitdash_client.api.repositories import get_repositories, get_repositories_id, post_repositories_id_syncs  # noqa: E402
from gitdash_client.api.syncs import get_syncs_id  # noqa: E402
from gitdash_client.models import Activity, CommitPage, Repository, Stats, SyncRun  # noqa: E402

base_url, token, repository_id = sys.argv[2], sys.argv[3], int(sys.argv[4])
client = AuthenticatedClient(base_url=base_url, token=token, raise_on_unexpected_status=True)


def expect(value, kind, what):
    if not isinstance(value, kind):
        sys.exit(f"{what}: expected {kind.__name__}, got {value!r}")
    return value


repositories = get_repositories.sync(client=client)
if not repositories or not all(isinstance(r, Repository) for r in repositories):
    sys.exit(f"list of repositories: {repositories!r}")
repository = expect(get_repositories_id.sync(repository_id, client=client), Repository, "one repository")
if repository.commit_count < 1:
    sys.exit(f"the repository has no commits: {repository!r}")

page = expect(get_repositories_id_commits.sync(repository_id, client=client, limit=5), CommitPage, "commits")
if len(page.commits) != min(5, repository.commit_count):
    sys.exit(f"a page of commits: {page!r}")
cursor = page.next_cursor
if cursor:
    expect(get_repositories_id_commits.sync(repository_id, client=client, limit=5, cursor=cursor), CommitPage, "next page")

expect(get_activity.sync(client=client), Activity, "activity")
expect(get_repositories_id_stats.sync(repository_id, client=client), Stats, "stats")
committers = get_committers.sync(client=client)
if not isinstance(committers, list) or not committers:
    sys.exit(f"committers: {committers!r}")

run = expect(post_repositories_id_syncs.sync(repository_id, client=client), SyncRun, "sync request")
expect(get_syncs_id.sync(run.id, client=client), SyncRun, "the sync run")
print(f"generated client: {len(repositories)} repositories, {repository.commit_count} commits, {len(committers)} committers")
