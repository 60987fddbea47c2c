from agentdesk.entry import main

main()
