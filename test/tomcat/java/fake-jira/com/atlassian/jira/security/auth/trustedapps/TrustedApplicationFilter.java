package com.atlassian.jira.security.auth.trustedapps;

public class TrustedApplicationFilter extends com.atlassian.fakejira.PassThroughFilter {}
