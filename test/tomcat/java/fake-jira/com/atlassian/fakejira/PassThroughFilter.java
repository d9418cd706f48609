package com.atlassian.fakejira;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.io.IOException;

/** A Jira filter that does nothing but note (in "all") that it ran, under its web.xml filter-name. */
public class PassThroughFilter implements Filter {
    private String name = "?";

    @Override
    public void init(FilterConfig config) throws ServletException {
        name = config.getFilterName();
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse resp, FilterChain chain) throws IOException, ServletException {
        Chain.get(req, Chain.ALL).add(name);
        chain.doFilter(req, resp);
    }
}
