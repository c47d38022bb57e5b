package dev.tierlab.cli;

/**
 * Bad input from the user (a file, a flag, a value): printed as one line, exit code 2. The message
 * names what is wrong and how to fix it.
 */
public final class UserError extends RuntimeException {
    public UserError(String message) {
        super(message);
    }
}
