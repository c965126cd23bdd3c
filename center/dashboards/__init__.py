"""Dashboards and figures: the leader's dashboard, the exports of every dashboard table, the monthly
figures per department (kept by a beat task) and the reads from the replica."""
