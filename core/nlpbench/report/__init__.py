"""Reports: the leaderboard, the text reporters and the HTML page."""
