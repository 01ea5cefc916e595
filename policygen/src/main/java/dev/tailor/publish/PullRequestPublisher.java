package dev.tailor.publish;

import dev.tailor.contract.Names;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.InvalidRemoteException;
import org.eclipse.jgit.api.errors.TransportException;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.internal.storage.file.ObjectDirectory;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * {@code tailor pr}: the generated policies as a pull request in the GitOps repository. Clones it, writes the tree
 * under the chosen path on Tailor's branch (the newest {@code tailor/*} branch the repository has — the branch of
 * Tailor's open pull request — so it is updated rather than doubled), commits with a message that says what
 * changed, pushes, and opens — or updates — the pull request with IMPACT.md as its body. When the tree is already
 * what the branch (or the base) holds, nothing is pushed and no API is called at all.
 */
public final class PullRequestPublisher {

    /**
     * @param repository a clone URL or a local path
     * @param path       where in the repository the policies live ({@code policies})
     * @param branch     Tailor's branch; null: the newest {@code tailor/*} of the repository, else {@code defaultBranch}
     * @param api        the hosting API, or null to push the branch only
     * @param token      what git authenticates with (null: none, e.g. a local repository)
     */
    public record Options(
            String repository,
            String base,
            String path,
            String branch,
            String defaultBranch,
            Path tree,
            HostingApi api,
            String token,
            Path workDir) {}

    public enum Outcome {
        NOTHING_CHANGED,
        OPENED,
        UPDATED,
        PUSHED
    }

    public record Result(Outcome outcome, String branch, String commit, String url, String summary) {}

    private static final PersonIdent TAILOR = new PersonIdent("Tailor", "tailor@" + Names.GROUP);

    public Result publish(Options o) throws PublishException, IOException {
        Path body = o.tree().resolve("IMPACT.md");
        if (!Files.isRegularFile(body)) {
            throw new PublishException(
                    o.tree() + " has no IMPACT.md: run tailor impact on it first (it becomes the pull request's body)");
        }
        CredentialsProvider credentials = o.token() == null
                ? null
                : new UsernamePasswordCredentialsProvider(
                        o.api() == null ? "x-access-token" : o.api().gitUser(), o.token());
        Path clone = o.workDir().resolve("repository");
        try (Git git = cloneRepository(o, clone, credentials)) {
            if (git.getRepository().findRef("refs/remotes/origin/" + o.base()) == null) {
                throw new PublishException("the base branch " + o.base() + " does not exist in " + o.repository());
            }
            // Tailor's branch: the one asked for, else the newest tailor/* the repository has (the branch of Tailor's
            // open pull request), else a new one. Found with git alone: no API call unless something changed.
            String branch =
                    o.branch() != null ? o.branch() : newestTailorBranch(git).orElse(o.defaultBranch());
            boolean branchExists = git.getRepository().findRef("refs/remotes/origin/" + branch) != null;
            Repository repository = git.getRepository();
            // The commit is made from the start's tree and the generated files, in memory, its objects written as one
            // pack: no work tree checked out and written over, no object file per blob (4,104 files each way for a
            // large cluster's proposal, which took seconds to write and delete).
            try (RevWalk walk = new RevWalk(repository);
                    ObjectInserter inserter = repository.getObjectDatabase() instanceof ObjectDirectory objects
                            ? objects.newPackInserter()
                            : repository.newObjectInserter()) {
                RevCommit start = walk.parseCommit(
                        repository.resolve("refs/remotes/origin/" + (branchExists ? branch : o.base())));
                String prefix = o.path().isEmpty() ? "" : o.path() + "/";
                Map<String, DirCacheEntry> underPath = new TreeMap<>();
                Map<String, DirCacheEntry> asIs = new TreeMap<>(); // outside the path, or a link: kept as it is
                try (TreeWalk files = new TreeWalk(repository)) {
                    files.addTree(start.getTree());
                    files.setRecursive(true);
                    while (files.next()) {
                        DirCacheEntry entry = new DirCacheEntry(files.getPathString());
                        entry.setFileMode(files.getFileMode(0));
                        entry.setObjectId(files.getObjectId(0));
                        if (files.getPathString().startsWith(prefix) && isFile(files.getFileMode(0))) {
                            underPath.put(files.getPathString().substring(prefix.length()), entry);
                        } else {
                            asIs.put(files.getPathString(), entry);
                        }
                    }
                }
                Map<String, byte[]> before = new TreeMap<>();
                try (ObjectReader reader = repository.newObjectReader()) {
                    for (var e : underPath.entrySet()) {
                        before.put(
                                e.getKey(),
                                reader.open(e.getValue().getObjectId()).getBytes());
                    }
                }
                Map<String, byte[]> after = replaceTree(before, files(o.tree()));
                String inTheWay = inTheWay(asIs, prefix, after.keySet(), branchExists ? branch : o.base());
                if (inTheWay != null) {
                    throw new PublishException(inTheWay + ": move it away first");
                }
                Change change = Change.between(before, after);
                if (change.none()) {
                    return new Result(
                            Outcome.NOTHING_CHANGED,
                            branch,
                            null,
                            null,
                            "nothing changed: " + (branchExists ? "branch " + branch : o.base())
                                    + " already holds these policies");
                }
                DirCache index = DirCache.newInCore();
                DirCacheBuilder tree = index.builder();
                asIs.values().forEach(tree::add);
                for (var e : after.entrySet()) {
                    DirCacheEntry was = underPath.get(e.getKey());
                    DirCacheEntry entry = new DirCacheEntry(prefix + e.getKey());
                    entry.setFileMode(was != null ? was.getFileMode() : FileMode.REGULAR_FILE);
                    entry.setObjectId(
                            was != null && Arrays.equals(before.get(e.getKey()), e.getValue())
                                    ? was.getObjectId()
                                    : inserter.insert(Constants.OBJ_BLOB, e.getValue()));
                    tree.add(entry);
                }
                tree.finish();
                String title = "Tailor: least-privilege policies for "
                        + change.workloads().size() + " workloads";
                CommitBuilder commit = new CommitBuilder();
                commit.setTreeId(index.writeTree(inserter));
                commit.setParentId(start);
                commit.setAuthor(TAILOR);
                commit.setCommitter(TAILOR);
                commit.setMessage(title + "\n\n" + change.message(o.path()));
                ObjectId made = inserter.insert(commit);
                inserter.flush();
                RefUpdate ref = repository.updateRef("refs/heads/" + branch);
                ref.setNewObjectId(made);
                ref.setExpectedOldObjectId(ObjectId.zeroId()); // a fresh clone: the branch is only a remote one
                RefUpdate.Result updated = ref.update(walk);
                if (updated != RefUpdate.Result.NEW) {
                    throw new IOException("git: cannot set the branch " + branch + " in the clone: " + updated);
                }
                return pushAndRequest(o, git, branch, credentials, walk.parseCommit(made), change, title, body);
            }
        } catch (GitAPIException e) {
            throw new PublishException("git: " + oneLine(e.getMessage()));
        } finally {
            dev.tailor.util.Trees.delete(clone);
        }
    }

    /**
     * What {@code branch} holds in the way of the path's files ({@code after}, relative to {@code prefix}), or null: a
     * link or submodule where a file goes, a file (or link) where a directory must be. A tree with both, or with one
     * path twice, is not one git could check out.
     */
    private static String inTheWay(Map<String, DirCacheEntry> asIs, String prefix, Set<String> after, String branch) {
        for (String name : after) {
            String path = prefix + name;
            DirCacheEntry there = asIs.get(path);
            if (there != null) {
                return path + " on " + branch + " is a " + what(there.getFileMode())
                        + ", not a file, where the proposal has a file";
            }
            for (String dir : dev.tailor.util.OwnedTree.ancestors(path)) {
                DirCacheEntry blocking = asIs.get(dir);
                if (blocking != null || (dir.startsWith(prefix) && after.contains(dir.substring(prefix.length())))) {
                    return dir + " on " + branch + " is a " + (blocking == null ? "file" : what(blocking.getFileMode()))
                            + " where the proposal needs a directory (for " + path + ")";
                }
            }
        }
        return null;
    }

    private static String what(FileMode mode) {
        return mode == FileMode.SYMLINK ? "link" : mode == FileMode.GITLINK ? "submodule" : "file";
    }

    /** A file's mode (regular or executable, whatever its permission bits), not a link or a submodule. */
    private static boolean isFile(FileMode mode) {
        return (mode.getBits() & FileMode.TYPE_MASK) == FileMode.TYPE_FILE;
    }

    /**
     * The generated tree over the policies' path: what Tailor wrote there before (the tree's .tailor-tree lists it)
     * and no longer generates is removed; files others keep under the path (a kustomization.yaml, say) stay as they
     * are. Returns the path's files as they are then.
     */
    private static Map<String, byte[]> replaceTree(Map<String, byte[]> before, Map<String, byte[]> generated) {
        Map<String, byte[]> after = new TreeMap<>(generated);
        byte[] marker = before.get(dev.tailor.util.OwnedTree.MARKER);
        Set<String> owned = marker == null
                ? java.util.Set.of()
                : dev.tailor.util.OwnedTree.listed(new String(marker, StandardCharsets.UTF_8));
        for (var e : before.entrySet()) {
            boolean ours = owned.contains(e.getKey()) || e.getKey().equals(dev.tailor.util.OwnedTree.MARKER);
            if (!after.containsKey(e.getKey()) && !ours) {
                after.put(e.getKey(), e.getValue()); // kept
            }
        }
        return after;
    }

    /** Pushes the branch and opens or updates its pull request (none without a hosting API). */
    private Result pushAndRequest(
            Options o,
            Git git,
            String branch,
            CredentialsProvider credentials,
            RevCommit commit,
            Change change,
            String title,
            Path body)
            throws PublishException, IOException, GitAPIException {
        // The hosting API is asked before the push: a token it refuses leaves the repository untouched.
        Optional<HostingApi.OpenRequest> open =
                o.api() == null ? Optional.empty() : o.api().findOpen(o.base(), branch);
        push(git, branch, credentials, o.repository());
        String text = Files.readString(body, StandardCharsets.UTF_8);
        if (o.api() == null) {
            return new Result(Outcome.PUSHED, branch, commit.name(), null, change.summary());
        }
        HostingApi.OpenRequest request = open.isPresent()
                ? o.api().update(open.get(), title, text)
                : o.api().open(branch, o.base(), title, text);
        return new Result(
                open.isPresent() ? Outcome.UPDATED : Outcome.OPENED,
                branch,
                commit.name(),
                request.url(),
                change.summary());
    }

    /** The {@code tailor/*} branch of the remote with the newest commit, if any. */
    private static Optional<String> newestTailorBranch(Git git) throws IOException {
        String best = null;
        int bestTime = Integer.MIN_VALUE;
        try (org.eclipse.jgit.revwalk.RevWalk walk = new org.eclipse.jgit.revwalk.RevWalk(git.getRepository())) {
            for (var ref : git.getRepository().getRefDatabase().getRefsByPrefix("refs/remotes/origin/tailor/")) {
                int time = walk.parseCommit(ref.getObjectId()).getCommitTime();
                String name = ref.getName().substring("refs/remotes/origin/".length());
                if (time > bestTime || (time == bestTime && name.compareTo(best) > 0)) {
                    best = name;
                    bestTime = time;
                }
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * Clones the repository, every branch and nothing checked out, as init, remote and fetch: so that the fetch's
     * automatic gc is off before it runs. JGit runs that gc on a thread of its own, which may still be writing the
     * clone's {@code .git} (its {@code gc.log.lock}) while the clone is being removed.
     */
    private static Git cloneRepository(Options o, Path clone, CredentialsProvider credentials) throws PublishException {
        Git git = null;
        boolean cloned = false;
        try {
            git = Git.init().setDirectory(clone.toFile()).call();
            StoredConfig config = git.getRepository().getConfig();
            config.setBoolean("fetch", null, "autogc", false);
            config.setBoolean("gc", null, "autoDetach", false);
            config.save();
            git.remoteAdd().setName("origin").setUri(new URIish(o.repository())).call();
            git.fetch().setRemote("origin").setCredentialsProvider(credentials).call();
            cloned = true;
            return git;
        } catch (InvalidRemoteException e) {
            throw new PublishException("cannot clone " + o.repository() + ": no such repository");
        } catch (TransportException e) {
            String m = oneLine(e.getMessage());
            throw new PublishException(
                    m.toLowerCase(java.util.Locale.ROOT).contains("auth") || m.contains("401") || m.contains("403")
                            ? "cannot clone " + o.repository() + ": authentication failed"
                            : "cannot clone " + o.repository() + ": " + m);
        } catch (URISyntaxException e) {
            throw new PublishException(
                    "cannot clone " + o.repository() + ": not a repository URL (" + e.getReason() + ")");
        } catch (GitAPIException | IOException e) {
            throw new PublishException("cannot clone " + o.repository() + ": " + oneLine(e.getMessage()));
        } finally {
            if (!cloned && git != null) {
                git.close();
            }
        }
    }

    private static void push(Git git, String branch, CredentialsProvider credentials, String repository)
            throws GitAPIException, PublishException {
        Iterable<PushResult> results;
        try {
            results = git.push()
                    .setRemote("origin")
                    .setRefSpecs(new RefSpec("refs/heads/" + branch + ":refs/heads/" + branch))
                    .setCredentialsProvider(credentials)
                    .call();
        } catch (TransportException e) {
            throw new PublishException("cannot push " + branch + " to " + repository + ": " + oneLine(e.getMessage()));
        }
        for (PushResult r : results) {
            for (RemoteRefUpdate u : r.getRemoteUpdates()) {
                switch (u.getStatus()) {
                    case OK, UP_TO_DATE -> {}
                    case REJECTED_NONFASTFORWARD, REJECTED_REMOTE_CHANGED ->
                        throw new PublishException("conflict: " + branch + " changed on " + repository
                                + " while Tailor was writing it; run tailor pr again");
                    default ->
                        throw new PublishException("cannot push " + branch + " to " + repository + ": " + u.getStatus()
                                + (u.getMessage() == null ? "" : " (" + oneLine(u.getMessage()) + ")"));
                }
            }
        }
    }

    /** Files under a directory by relative path (none when it does not exist). */
    private static Map<String, byte[]> files(Path dir) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                out.put(dir.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
            }
        }
        return out;
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s+", " ").strip();
    }

    /** What a commit changes under the policies' path: files added, changed, removed, and the workloads they are of. */
    record Change(List<String> added, List<String> changed, List<String> removed, Set<String> workloads) {

        static Change between(Map<String, byte[]> before, Map<String, byte[]> after) {
            List<String> added = new ArrayList<>();
            List<String> changed = new ArrayList<>();
            List<String> removed = new ArrayList<>();
            Set<String> workloads = new TreeSet<>();
            after.forEach((f, bytes) -> {
                if (!before.containsKey(f)) {
                    added.add(f);
                } else if (!Arrays.equals(before.get(f), bytes)) {
                    changed.add(f);
                }
            });
            before.keySet().stream().filter(f -> !after.containsKey(f)).forEach(removed::add);
            for (List<String> list : List.of(added, changed, removed)) {
                for (String f : list) {
                    String[] parts = f.split("/");
                    if (parts.length >= 3) {
                        workloads.add(parts[0] + "/" + parts[1]);
                    }
                }
            }
            return new Change(added, changed, removed, workloads);
        }

        /** Nothing added, changed or removed. */
        boolean none() {
            return added.isEmpty() && changed.isEmpty() && removed.isEmpty();
        }

        String summary() {
            return added.size() + " files added, " + changed.size() + " changed, " + removed.size() + " removed, for "
                    + workloads.size() + " workloads";
        }

        String message(String path) {
            StringBuilder m =
                    new StringBuilder(summary()).append(" under ").append(path).append("/.\n\n");
            if (!workloads.isEmpty()) {
                m.append("Workloads: ").append(String.join(", ", workloads)).append("\n\n");
            }
            added.forEach(f -> m.append("added:   ").append(f).append('\n'));
            changed.forEach(f -> m.append("changed: ").append(f).append('\n'));
            removed.forEach(f -> m.append("removed: ").append(f).append('\n'));
            return m.toString();
        }
    }

    /** The branch name for a run without an open pull request: {@code tailor/<date>}. */
    public static String defaultBranch(java.time.LocalDate date) {
        return "tailor/" + date;
    }
}
