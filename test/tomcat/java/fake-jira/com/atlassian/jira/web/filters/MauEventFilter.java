package com.atlassian.jira.web.filters;

public class MauEventFilter extends com.atlassian.fakejira.PassThroughFilter {}
