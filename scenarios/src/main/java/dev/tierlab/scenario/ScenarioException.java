package dev.tierlab.scenario;

import java.util.List;

/** A scenario with problems: each one line, "file:line:column: field: what to write instead". */
public final class ScenarioException extends RuntimeException {
    private final List<String> problems;

    public ScenarioException(List<String> problems) {
        super(problems.size() == 1 ? problems.getFirst() : problems.size() + " problems, first: " + problems.getFirst());
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
