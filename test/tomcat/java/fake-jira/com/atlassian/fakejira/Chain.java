package com.atlassian.fakejira;

import jakarta.servlet.ServletRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * Request attributes the fake filters append to. "chain" holds only the filters the tests assert on
 * (security, duoauth); "all" holds every filter that ran, so a test can check the Duo filter's position
 * relative to its neighbours. The attribute names are duplicated in the stand-in DuoAuthFilter on purpose:
 * that jar must not depend on fake-Jira classes, just as the real one does not.
 */
public final class Chain {
    public static final String CHAIN = "fakejira.chain";
    public static final String ALL = "fakejira.all";

    private Chain() {}

    @SuppressWarnings("unchecked")
    public static List<String> get(ServletRequest req, String key) {
        Object v = req.getAttribute(key);
        if (v instanceof List) return (List<String>) v;
        List<String> l = new ArrayList<>();
        req.setAttribute(key, l);
        return l;
    }
}
