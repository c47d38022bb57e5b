package dev.tierlab.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every Markdown link in the repository stays inside it and resolves: a relative link names a file
 * or directory that exists under the repository root, an anchor names a heading of its file (by
 * GitHub's slug rule), and a web link does not point at a private or local host. The README links
 * the docs.
 */
class MarkdownLinksTest {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Set<String> SKIPPED_DIRS = Set.of(".git", "target", "node_modules", "runs", "models", ".idea");

    /** [text](target) and ![alt](target); the target ends at whitespace (a "title" may follow) or ')'. */
    private static final Pattern INLINE = Pattern.compile("!?\\[(?:[^\\]\\[]|\\[[^\\]]*])*]\\(\\s*<?([^)\\s>]*)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
    /** [id]: target */
    private static final Pattern REFERENCE = Pattern.compile("^\\s{0,3}\\[[^\\]]+]:\\s*<?(\\S+?)>?(\\s.*)?$");
    /** <https://...> autolinks and href/src attributes of inline HTML. */
    private static final Pattern AUTO = Pattern.compile("<((?:https?|file|ftp)://[^>\\s]+)>|(?:href|src)=\"([^\"]+)\"");
    private static final Pattern CODE_SPAN = Pattern.compile("`+[^`]*`+");
    private static final Pattern PRIVATE_HOST = Pattern.compile(
            "(localhost|.*\\.local|.*\\.internal|.*\\.lan|.*\\.corp|.*\\.home|127\\.\\d+\\.\\d+\\.\\d+|10\\.\\d+\\.\\d+\\.\\d+|"
            + "192\\.168\\.\\d+\\.\\d+|172\\.(1[6-9]|2\\d|3[01])\\.\\d+\\.\\d+|169\\.254\\.\\d+\\.\\d+|0\\.0\\.0\\.0|\\[?::1]?|[^.]+)");

    @TempDir
    Path scratch;

    @Test
    void everyMarkdownLinkResolvesInsideTheRepository() throws IOException {
        List<Path> files = markdownFiles(ROOT);
        assertTrue(files.size() >= 5, "Markdown files found: " + files);
        List<String> problems = new ArrayList<>();
        int links = 0;
        for (Path f : files) {
            for (Link l : links(f)) {
                links++;
                String why = check(ROOT, f, l.target());
                if (why != null) {
                    problems.add(ROOT.relativize(f) + ":" + l.line() + ": (" + l.target() + ") " + why);
                }
            }
        }
        assertTrue(links >= 20, "links checked: " + links);
        assertEquals(List.of(), problems, String.join("\n", problems));
    }

    @Test
    void theReadmeLinksTheDocs() throws IOException {
        List<String> targets = links(ROOT.resolve("README.md")).stream().map(Link::target).toList();
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            for (Path d : docs.filter(p -> p.toString().endsWith(".md")).toList()) {
                String rel = "docs/" + d.getFileName();
                assertTrue(targets.stream().anyMatch(t -> t.equals(rel) || t.startsWith(rel + "#")), "README.md links " + rel);
            }
        }
    }

    /** The checker itself: each kind of bad link is caught, and good ones pass. */
    @Test
    void theCheckerCatchesEachKindOfBadLink() throws IOException {
        Path root = Files.createDirectories(scratch.resolve("repo"));
        Files.createDirectories(root.resolve("docs"));
        Files.writeString(root.resolve("docs/a.md"), "# Title\n\n## Two words `code`\n");
        Path readme = Files.writeString(root.resolve("README.md"), """
                [ok](docs/a.md) [ok anchor](docs/a.md#two-words-code) [ok dir](docs/) [web](https://github.com/x/y)
                [outside](../shared/DESIGN.md) [missing](docs/nope.md) [bad anchor](docs/a.md#nope)
                [absolute](/etc/passwd) [private](http://intranet.corp/x) [local](http://localhost:8080/)
                [file](file:///etc/hosts) [self](#title-here)
                `[in code](../shared/x.md)`

                ```
                [in a fence](../shared/y.md)
                ```
                [ref]: ../shared/z.md
                # Title here
                """);
        Map<String, String> got = new HashMap<>();
        for (Link l : links(readme)) {
            got.put(l.target(), check(root, readme, l.target()));
        }
        for (String good : List.of("docs/a.md", "docs/a.md#two-words-code", "docs/", "https://github.com/x/y", "#title-here")) {
            assertEquals(null, got.get(good), good);
            assertTrue(got.containsKey(good), good + " was seen");
        }
        for (String bad : List.of("../shared/DESIGN.md", "docs/nope.md", "docs/a.md#nope", "/etc/passwd", "http://intranet.corp/x",
                "http://localhost:8080/", "file:///etc/hosts", "../shared/z.md")) {
            assertTrue(got.get(bad) != null, bad + " is caught: " + got);
        }
        assertTrue(!got.containsKey("../shared/x.md") && !got.containsKey("../shared/y.md"), "code is not read as links: " + got.keySet());
    }

    record Link(int line, String target) {
    }

    static List<Path> markdownFiles(Path root) throws IOException {
        List<Path> out = new ArrayList<>();
        Files.walkFileTree(root, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult preVisitDirectory(Path dir, java.nio.file.attribute.BasicFileAttributes a) {
                return !dir.equals(root) && SKIPPED_DIRS.contains(dir.getFileName().toString())
                        ? java.nio.file.FileVisitResult.SKIP_SUBTREE : java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes a) {
                if (file.toString().endsWith(".md")) {
                    out.add(file);
                }
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
        return out;
    }

    static List<Link> links(Path file) throws IOException {
        List<Link> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(file);
        boolean fenced = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.strip().startsWith("```") || line.strip().startsWith("~~~")) {
                fenced = !fenced;
                continue;
            }
            if (fenced) {
                continue;
            }
            String text = CODE_SPAN.matcher(line).replaceAll("");
            Matcher m = INLINE.matcher(text);
            while (m.find()) {
                out.add(new Link(i + 1, m.group(1)));
            }
            m = REFERENCE.matcher(text);
            if (m.matches()) {
                out.add(new Link(i + 1, m.group(1)));
            }
            m = AUTO.matcher(text);
            while (m.find()) {
                out.add(new Link(i + 1, m.group(1) != null ? m.group(1) : m.group(2)));
            }
        }
        return out;
    }

    /** Why the link from {@code file} to {@code target} is bad, or null when it is good. */
    static String check(Path root, Path file, String target) throws IOException {
        if (target.isEmpty()) {
            return "empty link";
        }
        String lower = target.toLowerCase(Locale.ROOT);
        if (lower.startsWith("mailto:")) {
            return null;
        }
        if (lower.matches("^[a-z][a-z0-9+.-]*:.*")) {
            if (!lower.startsWith("http://") && !lower.startsWith("https://")) {
                return "not a web link; point inside the repository or at a public http(s) page";
            }
            String host;
            try {
                host = URI.create(target).getHost();
            } catch (IllegalArgumentException e) {
                return "not a valid URL";
            }
            if (host == null || PRIVATE_HOST.matcher(host.toLowerCase(Locale.ROOT)).matches()) {
                return "points at a private or local host";
            }
            return null;
        }
        int hash = target.indexOf('#');
        String path = hash >= 0 ? target.substring(0, hash) : target;
        String anchor = hash >= 0 ? target.substring(hash + 1) : null;
        if (path.startsWith("/")) {
            return "an absolute path; use a path relative to " + root.relativize(file);
        }
        Path resolved = path.isEmpty() ? file : file.getParent().resolve(java.net.URLDecoder.decode(path,
                java.nio.charset.StandardCharsets.UTF_8)).normalize();
        if (!resolved.startsWith(root)) {
            return "points outside the repository";
        }
        if (!Files.exists(resolved)) {
            return "no such file in the repository";
        }
        if (anchor != null && !anchor.isEmpty() && resolved.toString().endsWith(".md") && !anchors(resolved).contains(anchor)) {
            return "no heading '" + anchor + "' in " + root.relativize(resolved);
        }
        return null;
    }

    /** GitHub's heading anchors: lower case, punctuation dropped, spaces to '-', repeats numbered. */
    static Set<String> anchors(Path md) throws IOException {
        Set<String> out = new HashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        boolean fenced = false;
        for (String line : Files.readAllLines(md)) {
            if (line.strip().startsWith("```") || line.strip().startsWith("~~~")) {
                fenced = !fenced;
                continue;
            }
            if (fenced || !line.matches("^#{1,6}\\s+.*")) {
                continue;
            }
            String text = line.replaceFirst("^#{1,6}\\s+", "").replaceFirst("\\s+#+\\s*$", "")
                    .replaceAll("\\[([^\\]]*)]\\([^)]*\\)", "$1");
            String slug = text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}\\s_-]", "").strip().replace(' ', '-');
            int n = seen.merge(slug, 1, Integer::sum);
            out.add(n == 1 ? slug : slug + "-" + (n - 1));
        }
        html(md, out);
        return out;
    }

    /** Explicit anchors: {@code <a name="x">} or {@code id="x"}. */
    private static void html(Path md, Set<String> out) throws IOException {
        Matcher m = Pattern.compile("(?:name|id)=\"([^\"]+)\"").matcher(Files.readString(md));
        while (m.find()) {
            out.add(m.group(1));
        }
    }
}
