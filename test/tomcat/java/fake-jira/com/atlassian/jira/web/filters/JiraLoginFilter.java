package com.atlassian.jira.web.filters;

public class JiraLoginFilter extends com.atlassian.fakejira.PassThroughFilter {}
