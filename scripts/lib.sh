# Shared by the tierlab scripts: find a JDK that can build and run tierlab, and Maven.
# Sourced, not executed.

TIERLAB_MIN_JAVA=25   # the build targets Java release 25 (pom.xml maven.compiler.release)
TIERLAB_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TIERLAB_JAR="$TIERLAB_ROOT/scenarios/target/tierlab.jar"

# Prints the feature version (17, 21, 25, ...) of the java binary $1, or nothing.
tierlab_java_feature() {
    "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n1
}

# Sets JAVA_HOME to a JDK >= TIERLAB_MIN_JAVA: $JAVA_HOME first, then /usr/lib/jvm/* (newest first).
tierlab_find_jdk() {
    local candidates=() dir v
    [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
    for dir in $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do candidates+=("${dir%/}"); done
    for dir in "${candidates[@]}"; do
        [ -x "$dir/bin/java" ] && [ -x "$dir/bin/javac" ] || continue
        v=$(tierlab_java_feature "$dir/bin/java")
        if [ -n "$v" ] && [ "$v" -ge "$TIERLAB_MIN_JAVA" ]; then
            export JAVA_HOME="$dir"
            export PATH="$JAVA_HOME/bin:$PATH"
            return 0
        fi
    done
    {
        echo "tierlab: no JDK >= $TIERLAB_MIN_JAVA found (looked at \$JAVA_HOME and /usr/lib/jvm/*)."
        echo "tierlab: install one (Eclipse Temurin 25, or your distribution's openjdk-25-jdk where it has one)"
        echo "tierlab: into /usr/lib/jvm, or anywhere and point JAVA_HOME at it."
    } >&2
    return 1
}

tierlab_find_maven() {
    if ! command -v mvn >/dev/null 2>&1; then
        echo "tierlab: Maven (mvn) not found; install it (apt-get install maven) and retry." >&2
        return 1
    fi
    # Maven's own libraries (guava, guice) touch sun.misc.Unsafe; keep JDK 24+ quiet about it.
    export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
}

# JVM flags the CLI needs: FFM downcalls into libjllama.so, Vector API kernels of the Java engine.
TIERLAB_JVM_FLAGS=(--enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector)

# The one stderr line the JVM prints at every start for --add-modules jdk.incubator.vector; it has no
# flag to turn it off (and -XX:-PrintWarnings would hide every other VM warning too).
TIERLAB_INCUBATOR_WARNING="WARNING: Using incubator modules: jdk.incubator.vector"

# Runs java with "$@" and exits with its status; its stderr passes through unchanged except for exactly
# the line above (whole-line match). The filter ignores INT/TERM/HUP so that what java prints while it
# stops (e.g. "interrupted; resume with ...") still gets through; TERM and HUP sent to this script are
# passed on to java, and Ctrl-C reaches java directly (same process group).
tierlab_run_java() {
    local pid rc=0
    "$JAVA_HOME/bin/java" "$@" <&0 2> >(trap '' INT TERM HUP; exec grep --line-buffered -v -x -F "$TIERLAB_INCUBATOR_WARNING" >&2) &
    pid=$!
    trap 'kill -TERM "$pid" 2>/dev/null' TERM
    trap 'kill -HUP "$pid" 2>/dev/null' HUP
    trap ':' INT
    wait "$pid" || rc=$?
    while kill -0 "$pid" 2>/dev/null; do
        rc=0
        wait "$pid" || rc=$?
    done
    wait 2>/dev/null || true   # the filter: every line is out before this script exits
    trap - TERM HUP INT
    return "$rc"
}
